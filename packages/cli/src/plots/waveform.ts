// Waveform panels: amplitude against time in s. Dense signals are drawn as
// their min/max envelope per half unit of width (like librosa's waveshow),
// sparse ones as a line through the samples.
import { clipTo, drawAxes, type Frame } from './axes.js';
import { linearScale, type Scale } from './scale.js';
import { STYLE, el, num } from './svg.js';

export interface WaveformInput {
  samples: Float32Array;
  sampleRate: number;
}

export function checkWaveform(w: WaveformInput, what = 'waveform'): void {
  if (!(w.samples instanceof Float32Array)) throw new RangeError(`${what}: samples must be a Float32Array`);
  if (!(w.sampleRate > 0)) throw new RangeError(`${what}: sampleRate must be positive`);
}

export function waveformDuration(w: WaveformInput): number {
  return w.samples.length / w.sampleRate;
}

/** Peak absolute amplitude (0 for silence). */
export function peak(samples: Float32Array): number {
  let m = 0;
  for (const v of samples) { const a = Math.abs(v); if (a > m && Number.isFinite(a)) m = a; }
  return m;
}

/** The path of a waveform in x/y scales: an envelope polygon or a polyline. */
export function waveformPath(w: WaveformInput, x: Scale, y: Scale, columns: number): { d: string; filled: boolean } {
  const n = w.samples.length;
  if (n === 0) return { d: '', filled: false };
  const [t0, t1] = x.domain;
  const first = Math.max(0, Math.floor(t0 * w.sampleRate));
  const last = Math.min(n, Math.ceil(t1 * w.sampleRate));
  const visible = last - first;
  if (visible <= columns * 2) {
    const pts: string[] = [];
    for (let i = first; i < last; i++) pts.push(`${num(x(i / w.sampleRate))} ${num(y(w.samples[i]!))}`);
    return { d: `M${pts.join('L')}`, filled: false };
  }
  const upper: string[] = [];
  const lower: string[] = [];
  const dataEnd = Math.min(t1, n / w.sampleRate);
  const cols = Math.max(1, Math.round((columns * (dataEnd - t0)) / (t1 - t0)));
  for (let c = 0; c < cols; c++) {
    const a = first + Math.floor((c * (last - first)) / cols);
    const b = Math.max(a + 1, first + Math.floor(((c + 1) * (last - first)) / cols));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < n; i++) {
      const v = w.samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi >= lo)) { lo = 0; hi = 0; }
    const px = x((a + b) / 2 / w.sampleRate);
    upper.push(`${num(px)} ${num(y(hi))}`);
    lower.push(`${num(px)} ${num(y(lo))}`);
  }
  return { d: `M${upper.join('L')}L${lower.reverse().join('L')}Z`, filled: true };
}

export interface WaveformPanelOptions {
  tMax: number;
  /** Symmetric amplitude limit (the y axis is [-yMax, yMax]). */
  yMax: number;
  color: string;
  title?: string;
  clipId: string;
  xLabel?: boolean;
}

export function waveformPanel(frame: Frame, w: WaveformInput, o: WaveformPanelOptions): string[] {
  const x = linearScale([0, o.tMax], [frame.x, frame.x + frame.width]);
  const y = linearScale([-o.yMax, o.yMax], [frame.y + frame.height, frame.y]);
  const axes = drawAxes(frame, {
    x: { scale: x, label: o.xLabel === false ? undefined : 'Time (s)' },
    y: { scale: y, label: 'Amplitude', ticks: 4 },
    grid: true,
    ...(o.title ? { title: o.title } : {}),
  });
  const [clipDef, clip] = clipTo(frame, o.clipId);
  const { d, filled } = waveformPath(w, x, y, Math.round(frame.width * 2));
  const zero = el('path', { d: `M${frame.x} ${num(y(0))}H${frame.x + frame.width}`, stroke: STYLE.muted, 'stroke-width': 0.6, 'stroke-dasharray': '2 2' });
  const line = el('path', {
    d, fill: filled ? o.color : 'none', 'fill-opacity': filled ? 0.85 : undefined, stroke: o.color,
    'stroke-width': filled ? 0.5 : 1, 'stroke-linejoin': 'round', 'clip-path': clip,
  });
  return [el('defs', {}, clipDef), ...axes.under, zero, line, ...axes.over];
}
