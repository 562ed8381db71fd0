// Canvas plots: waveform, spectrogram (magma, axes in s and Hz), the latent
// scatter and the loss curve. Each draws at the canvas's CSS size times the
// device pixel ratio.
import { DIGIT_COLORS, MAGMA, SPEAKER_COLORS, THEME, magmaCss } from './colors.js';

const FONT = '11px system-ui, -apple-system, "Segoe UI", sans-serif';

interface Surface {
  ctx: CanvasRenderingContext2D;
  w: number;
  h: number;
}

/** Sizes the backing store to the CSS size and clears it. */
function surface(canvas: HTMLCanvasElement): Surface | null {
  const w = Math.max(50, Math.round(canvas.clientWidth || canvas.width));
  const h = Math.max(40, Math.round(canvas.clientHeight || canvas.height));
  const dpr = Math.min(3, globalThis.devicePixelRatio || 1);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  return { ctx, w, h };
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1000) return `${+(v / 1000).toFixed(1)}k`;
  if (a === 0) return '0';
  if (a < 0.01) return v.toExponential(0);
  return `${+v.toFixed(2)}`;
};

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function axes(s: Surface, box: Box, x: { lo: number; hi: number; label: string; ticks?: number[] }, y: { lo: number; hi: number; label: string; ticks?: number[]; format?: (v: number) => string }): void {
  const { ctx } = s;
  ctx.strokeStyle = THEME.grid;
  ctx.fillStyle = THEME.dim;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  // The axis label sits at the bottom right: tick labels that would run into it are left out.
  const labelLeft = box.x + box.w - ctx.measureText(x.label).width - 6;
  for (const t of x.ticks ?? niceTicks(x.lo, x.hi, Math.max(2, Math.floor(box.w / 70)))) {
    const px = box.x + ((t - x.lo) / (x.hi - x.lo)) * box.w;
    if (px < box.x - 0.5 || px > box.x + box.w + 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(Math.round(px) + 0.5, box.y + box.h);
    ctx.lineTo(Math.round(px) + 0.5, box.y + box.h + 4);
    ctx.stroke();
    if (px + ctx.measureText(fmt(t)).width / 2 < labelLeft) ctx.fillText(fmt(t), px, box.y + box.h + 5);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of y.ticks ?? niceTicks(y.lo, y.hi, Math.max(2, Math.floor(box.h / 35)))) {
    const py = box.y + box.h - ((t - y.lo) / (y.hi - y.lo)) * box.h;
    if (py < box.y - 0.5 || py > box.y + box.h + 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(box.x - 4, Math.round(py) + 0.5);
    ctx.lineTo(box.x, Math.round(py) + 0.5);
    ctx.stroke();
    ctx.fillText((y.format ?? fmt)(t), box.x - 6, py);
  }
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(x.label, box.x + box.w, s.h - 1);
  ctx.save();
  ctx.translate(10, box.y + box.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(y.label, 0, 0);
  ctx.restore();
}

/** A message in an empty plot. */
export function drawEmpty(canvas: HTMLCanvasElement, message: string): void {
  const s = surface(canvas);
  if (!s) return;
  s.ctx.fillStyle = THEME.dim;
  s.ctx.textAlign = 'center';
  s.ctx.textBaseline = 'middle';
  s.ctx.fillText(message, s.w / 2, s.h / 2);
}

/** Waveform: the min/max envelope per pixel column, time axis in seconds. */
export function drawWaveform(canvas: HTMLCanvasElement, audio: Float32Array, sampleRate: number, color = THEME.accent): void {
  const s = surface(canvas);
  if (!s) return;
  const box: Box = { x: 46, y: 6, w: s.w - 46 - 46, h: s.h - 6 - 20 };
  const { ctx } = s;
  const dur = audio.length / sampleRate;
  ctx.strokeStyle = THEME.grid;
  ctx.beginPath();
  ctx.moveTo(box.x, box.y + box.h / 2 + 0.5);
  ctx.lineTo(box.x + box.w, box.y + box.h / 2 + 0.5);
  ctx.stroke();
  ctx.fillStyle = color;
  const cols = Math.max(1, Math.floor(box.w));
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * audio.length) / cols), b = Math.max(a + 1, Math.floor(((c + 1) * audio.length) / cols));
    let lo = 0, hi = 0;
    for (let i = a; i < b && i < audio.length; i++) {
      const v = audio[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const y0 = box.y + box.h / 2 - hi * (box.h / 2);
    const y1 = box.y + box.h / 2 - lo * (box.h / 2);
    ctx.fillRect(box.x + c, y0, 1, Math.max(1, y1 - y0));
  }
  axes(s, box, { lo: 0, hi: dur, label: 's' }, { lo: -1, hi: 1, label: 'amplitude', ticks: [-1, 0, 1] });
}

/**
 * Spectrogram of normalised features ([nBins][nFrames], bin-major, 0..1 =
 * max - 80 dB .. max): magma, frequency axis in Hz, time in s, a dB colour bar.
 */
export function drawSpectrogram(
  canvas: HTMLCanvasElement, spec: Float32Array, nBins: number, nFrames: number, sampleRate: number, hop: number, nFft: number,
): void {
  const s = surface(canvas);
  if (!s) return;
  const box: Box = { x: 46, y: 6, w: s.w - 46 - 46, h: s.h - 6 - 20 };
  const img = new ImageData(nFrames, nBins);
  for (let k = 0; k < nBins; k++) {
    const row = nBins - 1 - k;
    for (let t = 0; t < nFrames; t++) {
      const v = spec[k * nFrames + t]!;
      const i = Math.max(0, Math.min(255, Math.round(v * 255))) * 3;
      const o = (row * nFrames + t) * 4;
      img.data[o] = MAGMA[i]!;
      img.data[o + 1] = MAGMA[i + 1]!;
      img.data[o + 2] = MAGMA[i + 2]!;
      img.data[o + 3] = 255;
    }
  }
  const off = new OffscreenCanvas(nFrames, nBins);
  off.getContext('2d')!.putImageData(img, 0, 0);
  const { ctx } = s;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, box.x, box.y, box.w, box.h);
  const binHz = sampleRate / nFft;
  // Frame t is centred at t * hop / sampleRate (center=True); bin k at k * binHz.
  const tMax = (nFrames * hop) / sampleRate, fMax = nBins * binHz;
  axes(s, box, { lo: 0, hi: tMax, label: 's' }, { lo: 0, hi: fMax, label: 'Hz', ticks: niceTicks(0, fMax, Math.max(2, Math.floor(box.h / 30))) });
  // Colour bar.
  const cb: Box = { x: box.x + box.w + 8, y: box.y, w: 8, h: box.h };
  for (let i = 0; i < cb.h; i++) {
    ctx.fillStyle = magmaCss(1 - i / cb.h);
    ctx.fillRect(cb.x, cb.y + i, cb.w, 1);
  }
  ctx.fillStyle = THEME.dim;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText('0', cb.x + cb.w + 3, cb.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText('-80', cb.x + cb.w + 2, cb.y + cb.h);
  ctx.textBaseline = 'middle';
  ctx.fillText('dB', cb.x + cb.w + 3, cb.y + cb.h / 2);
}

export interface ScatterPoint {
  x: number;
  y: number;
  digit: number | null;
  speaker: string | null;
  file: string;
}

export interface ScatterMarker {
  x: number;
  y: number;
  kind: 'generated' | 'clicked' | 'recording';
}

/** The latent explorer's scatter: points coloured by digit or speaker, with markers; maps pixels to the plane and back. */
export class Scatter {
  points: ScatterPoint[] = [];
  explained: [number, number] = [0, 0];
  colorBy: 'digit' | 'speaker' = 'digit';
  markers: ScatterMarker[] = [];
  hover: number | null = null;
  private box: Box = { x: 0, y: 0, w: 1, h: 1 };
  private lo = [-1, -1];
  private hi = [1, 1];

  constructor(readonly canvas: HTMLCanvasElement) {}

  setPoints(points: ScatterPoint[], explained: [number, number]): void {
    this.points = points;
    this.explained = explained;
    this.markers = [];
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const p of points) {
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    }
    if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
    const px = (x1 - x0 || 1) * 0.12, py = (y1 - y0 || 1) * 0.12;
    this.lo = [x0 - px, y0 - py];
    this.hi = [x1 + px, y1 + py];
  }

  speakers(): string[] {
    return [...new Set(this.points.map((p) => p.speaker ?? '?'))].sort();
  }

  colorOf(p: ScatterPoint): string {
    if (this.colorBy === 'speaker') {
      const all = this.speakers();
      return SPEAKER_COLORS[all.indexOf(p.speaker ?? '?') % SPEAKER_COLORS.length]!;
    }
    return p.digit === null ? THEME.dim : DIGIT_COLORS[p.digit % 10]!;
  }

  toPixel(x: number, y: number): [number, number] {
    const b = this.box;
    return [b.x + ((x - this.lo[0]!) / (this.hi[0]! - this.lo[0]!)) * b.w, b.y + b.h - ((y - this.lo[1]!) / (this.hi[1]! - this.lo[1]!)) * b.h];
  }

  toPlane(px: number, py: number): [number, number] {
    const b = this.box;
    return [this.lo[0]! + ((px - b.x) / b.w) * (this.hi[0]! - this.lo[0]!), this.lo[1]! + ((b.y + b.h - py) / b.h) * (this.hi[1]! - this.lo[1]!)];
  }

  inside(px: number, py: number): boolean {
    const b = this.box;
    return px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h;
  }

  /** The point under (px, py) (CSS pixels), within `radius`. */
  hit(px: number, py: number, radius = 7): number | null {
    let best: number | null = null, bestD = radius * radius;
    this.points.forEach((p, i) => {
      const [x, y] = this.toPixel(p.x, p.y);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  }

  draw(): void {
    const s = surface(this.canvas);
    if (!s) return;
    this.box = { x: 46, y: 8, w: s.w - 46 - 10, h: s.h - 8 - 22 };
    const { ctx } = s;
    axes(s, this.box, { lo: this.lo[0]!, hi: this.hi[0]!, label: `PC1 (${Math.round(this.explained[0] * 100)} % of the variance)` },
      { lo: this.lo[1]!, hi: this.hi[1]!, label: `PC2 (${Math.round(this.explained[1] * 100)} %)` });
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.box.x, this.box.y, this.box.w, this.box.h);
    ctx.clip();
    ctx.globalAlpha = 0.85;
    for (const p of this.points) {
      const [x, y] = this.toPixel(p.x, p.y);
      ctx.fillStyle = this.colorOf(p);
      ctx.beginPath();
      ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (this.hover !== null && this.points[this.hover]) {
      const p = this.points[this.hover]!;
      const [x, y] = this.toPixel(p.x, p.y);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(x, y, 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
    for (const m of this.markers) {
      const [x, y] = this.toPixel(m.x, m.y);
      ctx.lineWidth = 2;
      if (m.kind === 'clicked') {
        ctx.strokeStyle = '#fff';
        ctx.beginPath();
        ctx.moveTo(x - 7, y); ctx.lineTo(x + 7, y);
        ctx.moveTo(x, y - 7); ctx.lineTo(x, y + 7);
        ctx.stroke();
      } else if (m.kind === 'recording') {
        ctx.fillStyle = THEME.accent2;
        ctx.strokeStyle = '#fff';
        ctx.beginPath();
        for (let i = 0; i < 10; i++) {
          const r = i % 2 ? 3.5 : 8, a = -Math.PI / 2 + (i * Math.PI) / 5;
          ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
        }
        ctx.closePath();
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.stroke();
      } else {
        ctx.strokeStyle = THEME.accent;
        ctx.beginPath();
        ctx.arc(x, y, 7, 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
    ctx.restore();
  }
}

export interface LossPoint {
  step: number;
  loss: number;
  recon: number;
  kl: number;
}

/** Training loss per step (log scale when it spans more than a decade), with the reconstruction and KL terms. */
export function drawLossCurve(canvas: HTMLCanvasElement, points: readonly LossPoint[], epochEnds: readonly number[]): void {
  const s = surface(canvas);
  if (!s) return;
  if (points.length === 0) {
    drawEmpty(canvas, 'the loss per step appears here');
    return;
  }
  const box: Box = { x: 52, y: 8, w: s.w - 52 - 10, h: s.h - 8 - 22 };
  const { ctx } = s;
  const series: [keyof LossPoint, string, string][] = [['loss', THEME.accent, 'loss'], ['recon', THEME.accent2, 'reconstruction'], ['kl', THEME.blue, 'KL']];
  let lo = Infinity, hi = -Infinity;
  for (const p of points) for (const [k] of series) {
    const v = p[k];
    if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!Number.isFinite(lo)) { lo = 0.1; hi = 1; }
  const log = hi / lo > 10;
  const f = (v: number): number => (log ? Math.log10(Math.max(v, lo)) : v);
  let yLo = f(lo), yHi = f(hi);
  if (yHi - yLo < 1e-9) { yLo -= 0.5; yHi += 0.5; }
  const pad = (yHi - yLo) * 0.06;
  yLo -= pad; yHi += pad;
  const x0 = points[0]!.step, x1 = Math.max(points[points.length - 1]!.step, x0 + 1);
  const X = (st: number): number => box.x + ((st - x0) / (x1 - x0)) * box.w;
  const Y = (v: number): number => box.y + box.h - ((f(v) - yLo) / (yHi - yLo)) * box.h;
  ctx.strokeStyle = THEME.grid;
  ctx.setLineDash([3, 3]);
  for (const e of epochEnds) {
    if (e < x0 || e > x1) continue;
    ctx.beginPath(); ctx.moveTo(X(e), box.y); ctx.lineTo(X(e), box.y + box.h); ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  for (const [k, color] of series) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(X(p.step), Y(p[k])) : ctx.moveTo(X(p.step), Y(p[k]))));
    ctx.stroke();
    if (points.length === 1) { ctx.beginPath(); ctx.arc(X(points[0]!.step), Y(points[0]![k]), 3, 0, 7); ctx.fill(); }
  }
  ctx.restore();
  const yTicks = log
    ? niceTicks(Math.ceil(yLo), Math.floor(yHi), 4).filter((t) => Number.isInteger(t))
    : niceTicks(yLo, yHi, 4);
  axes(s, box, { lo: x0, hi: x1, label: 'step', ticks: niceTicks(x0, x1, Math.max(2, Math.floor(box.w / 60))).filter((t) => Number.isInteger(t)) },
    { lo: yLo, hi: yHi, label: log ? 'loss (log)' : 'loss', ticks: yTicks, format: (v) => fmt(log ? 10 ** v : v) });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  let lx = box.x + box.w - 6;
  for (const [, color, name] of [...series].reverse()) {
    const w = ctx.measureText(name).width;
    ctx.fillStyle = color;
    ctx.fillText(name, lx, box.y + 4);
    lx -= w + 14;
  }
}
