// The original experiment's 2 x 2 figure: original and reconstructed
// waveform (top), original and reconstructed spectrogram (bottom), with
// shared time axes, a shared amplitude range, and one dB colour scale for
// both spectrograms so that they can be compared cell by cell.
import type { Frame } from './axes.js';
import { categoryColor } from './colormap.js';
import { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
import {
  COLORBAR_SPACE, checkSpectrogram, colorbar, spectrogramDuration, spectrogramMaxFrequency, spectrogramPanel,
  spectrogramStyle, type SpectrogramInput, type SpectrogramStyle,
} from './spectrogram.js';
import { STYLE, svgDocument, text } from './svg.js';
import { niceDomain } from './scale.js';
import { checkWaveform, peak, waveformDuration, waveformPanel, type WaveformInput } from './waveform.js';

export interface ComparisonInput {
  original: { waveform: WaveformInput; spectrogram: SpectrogramInput };
  reconstructed: { waveform: WaveformInput; spectrogram: SpectrogramInput };
}

export interface ComparisonOptions extends SpectrogramStyle, RasterOptions {
  /** Figure title, e.g. the file name. */
  title?: string;
  /** A second line under the title, e.g. metrics. */
  subtitle?: string;
  /** Panel titles (default 'Original' / 'Reconstructed'). */
  labels?: readonly [string, string];
  /** Figure size in SVG units (default 1000 x 620). */
  width?: number;
  height?: number;
}

/** Where the 2 x 2 figure puts its panels and the colour bar (SVG units). */
export function comparisonLayout(width: number, height: number, titled: boolean, subtitled: boolean): {
  waves: [Frame, Frame]; specs: [Frame, Frame]; colorbar: Frame;
} {
  const top = (titled ? 30 : 8) + (subtitled ? 18 : 0) + 26;
  const left = 72;
  const gapX = 72;
  const gapY = 74;
  const bottom = 46;
  const panelW = Math.floor((width - left - gapX - COLORBAR_SPACE) / 2);
  const rowH = Math.floor((height - top - gapY - bottom) / 2);
  if (panelW < 40 || rowH < 40) throw new RangeError(`figure ${width} x ${height} is too small`);
  const col = (i: number): number => left + i * (panelW + gapX);
  const wave = (i: number): Frame => ({ x: col(i), y: top, width: panelW, height: rowH });
  const spec = (i: number): Frame => ({ x: col(i), y: top + rowH + gapY, width: panelW, height: rowH });
  const s1 = spec(1);
  return { waves: [wave(0), wave(1)], specs: [spec(0), spec(1)], colorbar: { x: s1.x + s1.width + 14, y: s1.y, width: 14, height: s1.height } };
}

export function comparisonSvg(input: ComparisonInput, o: ComparisonOptions = {}): string {
  const { original: a, reconstructed: b } = input;
  checkWaveform(a.waveform, 'original waveform');
  checkWaveform(b.waveform, 'reconstructed waveform');
  checkSpectrogram(a.spectrogram, 'original spectrogram');
  checkSpectrogram(b.spectrogram, 'reconstructed spectrogram');
  const width = Math.round(o.width ?? 1000);
  const height = Math.round(o.height ?? 620);
  const scale = o.scale ?? DEFAULT_SCALE;
  const [la, lb] = o.labels ?? ['Original', 'Reconstructed'];
  const st = spectrogramStyle([a.spectrogram, b.spectrogram], o);

  const tMax = Math.max(
    waveformDuration(a.waveform), waveformDuration(b.waveform),
    spectrogramDuration(a.spectrogram), spectrogramDuration(b.spectrogram),
  );
  const fMax = Math.max(spectrogramMaxFrequency(a.spectrogram), spectrogramMaxFrequency(b.spectrogram));
  const amp = Math.max(peak(a.waveform.samples), peak(b.waveform.samples), 1e-6);
  const yMax = niceDomain(-amp * 1.05, amp * 1.05, 4)[1];

  const { waves, specs, colorbar: bar } = comparisonLayout(width, height, Boolean(o.title), Boolean(o.subtitle));
  const body: string[] = [];
  if (o.title) body.push(text(width / 2, 10, o.title, { anchor: 'middle', baseline: 'hanging', size: STYLE.titleFont + 1, weight: 'bold' }));
  if (o.subtitle) body.push(text(width / 2, (o.title ? 32 : 10), o.subtitle, { anchor: 'middle', baseline: 'hanging', size: STYLE.labelFont, fill: STYLE.muted }));
  body.push(...waveformPanel(waves[0], a.waveform, { tMax, yMax, color: categoryColor(0), title: `${la} waveform`, clipId: 'wave-a' }));
  body.push(...waveformPanel(waves[1], b.waveform, { tMax, yMax, color: categoryColor(1), title: `${lb} waveform`, clipId: 'wave-b' }));
  body.push(...spectrogramPanel(specs[0], a.spectrogram, { ...st, scale, tMax, fMax, title: `${la} spectrogram` }));
  body.push(...spectrogramPanel(specs[1], b.spectrogram, { ...st, scale, tMax, fMax, title: `${lb} spectrogram` }));
  body.push(...colorbar(bar, { ...st, scale }));
  return svgDocument(width, height, body, o.title ?? 'Original and reconstruction');
}

/** The 2 x 2 comparison figure as PNG bytes. */
export function comparisonPng(input: ComparisonInput, o: ComparisonOptions = {}): Uint8Array {
  return svgToPng(comparisonSvg(input, o), o);
}
