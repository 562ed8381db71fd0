// Spectrogram images: time in s on x, frequency in Hz on y, colour in dB
// through a perceptual colour map, with a labelled colour bar.
import { drawAxes, type Frame } from './axes.js';
import { colormapLut, type ColormapName } from './colormap.js';
import { colorbarRgba, encodePng, lutIndex, pngDataUri } from './raster.js';
import { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
import { linearScale, ticks } from './scale.js';
import { STYLE, el, svgDocument, text, textWidth } from './svg.js';

/**
 * A magnitude spectrogram in dB, bin-major like @specvae/dsp-wasm's
 * `Spectrogram` (element (bin k, frame t) at k * nFrames + t), with the STFT
 * geometry needed to label the axes. `nBins` may be nFft / 2 + 1 or, as the
 * model's input, nFft / 2 (the Nyquist row dropped). Frames are taken as
 * centred (librosa's center=True): frame t is at t * hop / sampleRate s.
 */
export interface SpectrogramInput {
  data: Float32Array;
  nBins: number;
  nFrames: number;
  sampleRate: number;
  hop: number;
  nFft: number;
}

export interface SpectrogramStyle {
  /** Colour range [min, max] in dB; default [max - 80, max] of the data (clipped to its min). */
  dbRange?: readonly [number, number];
  /** Default 'magma'. */
  colormap?: ColormapName;
  /** Colour bar label (default 'Level (dB)'). */
  colorbarLabel?: string;
}

export interface SpectrogramFigureOptions extends SpectrogramStyle, RasterOptions {
  title?: string;
  /** Figure size in SVG units (default 720 x 360). */
  width?: number;
  height?: number;
}

export function checkSpectrogram(s: SpectrogramInput, what = 'spectrogram'): void {
  const bad = (why: string): never => { throw new RangeError(`${what}: ${why}`); };
  if (!(s.data instanceof Float32Array)) bad('data must be a Float32Array');
  if (!Number.isInteger(s.nBins) || s.nBins < 1 || !Number.isInteger(s.nFrames) || s.nFrames < 1) bad('nBins and nFrames must be positive integers');
  if (s.data.length !== s.nBins * s.nFrames) bad(`data has ${s.data.length} values, expected nBins * nFrames = ${s.nBins * s.nFrames}`);
  if (!(s.sampleRate > 0) || !(s.hop > 0) || !(s.nFft > 0)) bad('sampleRate, hop and nFft must be positive');
}

/** Time span covered by the frames, in s (frame centres at t * hop / sr; the last cell ends half a hop later). */
export function spectrogramDuration(s: SpectrogramInput): number {
  return ((s.nFrames - 0.5) * s.hop) / s.sampleRate;
}

/** Highest frequency shown, in Hz. */
export function spectrogramMaxFrequency(s: SpectrogramInput): number {
  return Math.min(s.sampleRate / 2, ((s.nBins - 0.5) * s.sampleRate) / s.nFft);
}

/** The default colour range for some spectrograms: [max - topDb, max], not below the data's minimum. */
export function defaultDbRange(specs: readonly SpectrogramInput[], topDb = 80): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of specs) {
    for (const v of s.data) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi >= lo)) return [-80, 0];
  const min = Math.max(lo, hi - topDb);
  return min === hi ? [hi - 1, hi] : [min, hi];
}

interface DrawOptions {
  vmin: number;
  vmax: number;
  lut: Uint8Array;
  scale: number;
  /** Shown domain: [0, tMax] s and [0, fMax] Hz (defaults: the data's). */
  tMax?: number;
  fMax?: number;
}

/**
 * The spectrogram as an <image> filling `frame`, rasterised at `scale` device
 * pixels per unit. Cells are centred on their frame time and bin frequency;
 * time beyond the data (a shorter clip on a shared axis) stays transparent.
 */
export function spectrogramImage(frame: Frame, s: SpectrogramInput, o: DrawOptions): string {
  const W = Math.max(1, Math.round(frame.width * o.scale));
  const H = Math.max(1, Math.round(frame.height * o.scale));
  const tMax = o.tMax ?? spectrogramDuration(s);
  const fMax = o.fMax ?? spectrogramMaxFrequency(s);
  const frameOf = new Int32Array(W);
  const frameSec = s.hop / s.sampleRate;
  const lastEdge = (s.nFrames - 0.5) * frameSec;
  for (let px = 0; px < W; px++) {
    const t = ((px + 0.5) / W) * tMax;
    frameOf[px] = t > lastEdge ? -1 : Math.min(s.nFrames - 1, Math.max(0, Math.round(t / frameSec)));
  }
  const binOf = new Int32Array(H);
  const binHz = s.sampleRate / s.nFft;
  for (let py = 0; py < H; py++) {
    const f = (1 - (py + 0.5) / H) * fMax;
    const k = Math.round(f / binHz);
    binOf[py] = k >= s.nBins ? -1 : Math.max(0, k);
  }
  const rgba = new Uint8Array(W * H * 4);
  const { lut, vmin, vmax } = o;
  for (let py = 0; py < H; py++) {
    const k = binOf[py]!;
    const row = k * s.nFrames;
    for (let px = 0; px < W; px++) {
      const t = frameOf[px]!;
      if (t < 0 || k < 0) continue;
      const i = lutIndex(s.data[row + t]!, vmin, vmax) * 3;
      const p = (py * W + px) * 4;
      rgba[p] = lut[i]!;
      rgba[p + 1] = lut[i + 1]!;
      rgba[p + 2] = lut[i + 2]!;
      rgba[p + 3] = 255;
    }
  }
  return rasterImage(frame, W, H, rgba);
}

export function rasterImage(frame: Frame, W: number, H: number, rgba: Uint8Array): string {
  return el('image', {
    x: frame.x, y: frame.y, width: frame.width, height: frame.height, preserveAspectRatio: 'none',
    'image-rendering': 'optimizeSpeed', style: 'image-rendering:pixelated',
    'xlink:href': pngDataUri(encodePng(W, H, rgba)),
  });
}

/** A vertical colour bar in `frame` with dB ticks on its right and a rotated label. */
export function colorbar(frame: Frame, o: { vmin: number; vmax: number; lut: Uint8Array; scale: number; label: string }): string[] {
  const W = Math.max(1, Math.round(frame.width * o.scale));
  const H = Math.max(1, Math.round(frame.height * o.scale));
  const parts = [rasterImage(frame, W, H, colorbarRgba(W, H, o.lut))];
  const y = linearScale([o.vmin, o.vmax], [frame.y + frame.height, frame.y]);
  const values = ticks(o.vmin, o.vmax, 5);
  const fmt = y.format(values);
  const tl = STYLE.tickLength;
  const path: string[] = [];
  let maxW = 0;
  for (const v of values) {
    const py = y(v);
    path.push(`M${frame.x + frame.width} ${py.toFixed(2)}h${tl}`);
    const label = fmt(v);
    maxW = Math.max(maxW, textWidth(label, STYLE.tickFont));
    parts.push(text(frame.x + frame.width + tl + 3, py, label, { baseline: 'middle' }));
  }
  parts.push(el('rect', { x: frame.x, y: frame.y, width: frame.width, height: frame.height, fill: 'none', stroke: STYLE.axis, 'stroke-width': 1 }));
  parts.push(el('path', { d: path.join(''), stroke: STYLE.axis, 'stroke-width': 1 }));
  const lx = frame.x + frame.width + tl + 3 + maxW + 8 + STYLE.labelFont * 0.5;
  parts.push(text(lx, frame.y + frame.height / 2, o.label, { anchor: 'middle', size: STYLE.labelFont, rotate: 90 }));
  return parts;
}

/** Space the colour bar with its labels needs right of the plot. */
export const COLORBAR_SPACE = 14 + 12 + 36 + 24;

/** Where a single-spectrogram figure puts the plot and the colour bar (SVG units). */
export function spectrogramLayout(width: number, height: number, titled: boolean): { frame: Frame; colorbar: Frame } {
  const top = titled ? 34 : 14;
  const frame: Frame = { x: 70, y: top, width: width - 70 - COLORBAR_SPACE, height: height - top - 48 };
  if (frame.width < 20 || frame.height < 20) throw new RangeError(`figure ${width} x ${height} is too small`);
  return { frame, colorbar: { x: frame.x + frame.width + 14, y: frame.y, width: 14, height: frame.height } };
}

/** Spectrogram panel: image plus axes (time / frequency) in `frame`. */
export function spectrogramPanel(
  frame: Frame,
  s: SpectrogramInput,
  o: DrawOptions & { title?: string; xLabel?: boolean },
): string[] {
  const tMax = o.tMax ?? spectrogramDuration(s);
  const fMax = o.fMax ?? spectrogramMaxFrequency(s);
  const axes = drawAxes(frame, {
    x: { scale: linearScale([0, tMax], [frame.x, frame.x + frame.width]), label: o.xLabel === false ? undefined : 'Time (s)' },
    y: { scale: linearScale([0, fMax], [frame.y + frame.height, frame.y]), label: 'Frequency (Hz)', ticks: 5 },
    ...(o.title ? { title: o.title } : {}),
  });
  return [...axes.under, spectrogramImage(frame, s, { ...o, tMax, fMax }), ...axes.over];
}

function resolveStyle(specs: readonly SpectrogramInput[], o: SpectrogramStyle) {
  const [vmin, vmax] = o.dbRange ?? defaultDbRange(specs);
  if (!(vmax > vmin)) throw new RangeError(`dbRange must be [min, max] with max > min, got [${vmin}, ${vmax}]`);
  return { vmin, vmax, lut: colormapLut(o.colormap ?? 'magma'), label: o.colorbarLabel ?? 'Level (dB)' };
}

export { resolveStyle as spectrogramStyle };

/** One spectrogram with axes and colour bar, as SVG (the image embedded as PNG). */
export function spectrogramSvg(s: SpectrogramInput, o: SpectrogramFigureOptions = {}): string {
  checkSpectrogram(s);
  const width = Math.round(o.width ?? 720);
  const height = Math.round(o.height ?? 360);
  const scale = o.scale ?? DEFAULT_SCALE;
  const st = resolveStyle([s], o);
  const { frame, colorbar: bar } = spectrogramLayout(width, height, Boolean(o.title));
  const body = spectrogramPanel(frame, s, { ...st, scale, ...(o.title ? { title: o.title } : {}) });
  body.push(...colorbar(bar, { ...st, scale }));
  return svgDocument(width, height, body, o.title ?? 'Spectrogram');
}

/** One spectrogram with axes and colour bar, as PNG bytes. */
export function spectrogramPng(s: SpectrogramInput, o: SpectrogramFigureOptions = {}): Uint8Array {
  return svgToPng(spectrogramSvg(s, o), o);
}
