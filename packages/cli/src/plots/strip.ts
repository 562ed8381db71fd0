// A strip of spectrograms side by side on one dB scale (an interpolation's
// steps): frequency axis on the first panel of each row, time axis under
// every panel, one colour bar.
import { drawAxes, type Frame } from './axes.js';
import { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
import { linearScale } from './scale.js';
import {
  COLORBAR_SPACE, checkSpectrogram, colorbar, spectrogramDuration, spectrogramImage, spectrogramMaxFrequency,
  spectrogramStyle, type SpectrogramInput, type SpectrogramStyle,
} from './spectrogram.js';
import { STYLE, svgDocument, text } from './svg.js';

export interface StripOptions extends SpectrogramStyle, RasterOptions {
  title?: string;
  /** Title of each panel (e.g. 't = 0.25'). */
  labels?: readonly string[];
  /** Panels per row (default: all in one row, at most 8). */
  columns?: number;
  /** Size of one panel in SVG units (default 150 x 170). */
  panelWidth?: number;
  panelHeight?: number;
}

export function stripSvg(specs: readonly SpectrogramInput[], o: StripOptions = {}): string {
  if (specs.length === 0) throw new RangeError('strip: no spectrograms');
  specs.forEach((s, i) => checkSpectrogram(s, `spectrogram ${i}`));
  if (o.labels && o.labels.length !== specs.length) throw new RangeError(`strip: ${o.labels.length} labels for ${specs.length} spectrograms`);
  const n = specs.length;
  const columns = Math.max(1, Math.min(n, Math.round(o.columns ?? Math.min(n, 8))));
  const rows = Math.ceil(n / columns);
  const pw = Math.round(o.panelWidth ?? 150);
  const ph = Math.round(o.panelHeight ?? 170);
  const scale = o.scale ?? DEFAULT_SCALE;
  const st = spectrogramStyle(specs, o);
  const left = 72;
  const gap = 10;
  const top = (o.title ? 34 : 8) + 22;
  const rowGap = 22 + 46;
  const width = left + columns * pw + (columns - 1) * gap + COLORBAR_SPACE + 6;
  const height = top + rows * ph + (rows - 1) * rowGap + 46;
  const tMax = Math.max(...specs.map(spectrogramDuration));
  const fMax = Math.max(...specs.map(spectrogramMaxFrequency));
  const body: string[] = [];
  if (o.title) body.push(text(width / 2, 10, o.title, { anchor: 'middle', baseline: 'hanging', size: STYLE.titleFont + 1, weight: 'bold' }));
  specs.forEach((s, i) => {
    const r = Math.floor(i / columns);
    const c = i % columns;
    const frame: Frame = { x: left + c * (pw + gap), y: top + r * (ph + rowGap), width: pw, height: ph };
    const first = c === 0;
    const axes = drawAxes(frame, {
      x: { scale: linearScale([0, tMax], [frame.x, frame.x + frame.width]), ticks: 3, label: 'Time (s)' },
      y: { scale: linearScale([0, fMax], [frame.y + frame.height, frame.y]), ticks: 5, ...(first ? { label: 'Frequency (Hz)' } : { tickValues: [] }) },
      ...(o.labels ? { title: o.labels[i]! } : {}),
    });
    body.push(...axes.under, spectrogramImage(frame, s, { ...st, scale, tMax, fMax }), ...axes.over);
  });
  const barHeight = rows * ph + (rows - 1) * rowGap;
  body.push(...colorbar({ x: left + columns * pw + (columns - 1) * gap + 14, y: top, width: 14, height: barHeight }, { ...st, scale }));
  return svgDocument(width, height, body, o.title ?? 'Spectrograms');
}

export function stripPng(specs: readonly SpectrogramInput[], o: StripOptions = {}): Uint8Array {
  return svgToPng(stripSvg(specs, o), o);
}
