// Loss curves: one line per series (training / validation loss,
// reconstruction, KL) against epochs, linear or log y, with a legend.
import { clipTo, drawAxes, type Frame } from './axes.js';
import { categoryColor } from './colormap.js';
import { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
import { extent, linearScale, logScale, niceDomain, type Scale } from './scale.js';
import { STYLE, el, num, svgDocument, text, textWidth } from './svg.js';

export interface LossSeries {
  name: string;
  values: ArrayLike<number>;
  /** x of each value (default 1, 2, 3, ...: epochs). */
  x?: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

export interface LossCurveOptions extends RasterOptions {
  title?: string;
  /** Default 'Epoch'. */
  xLabel?: string;
  /** Default 'Loss'. */
  yLabel?: string;
  /** Log y axis: true, false, or 'auto' (default: when all values are positive and span over two decades). */
  logY?: boolean | 'auto';
  /** Figure size in SVG units (default 640 x 400). */
  width?: number;
  height?: number;
}

function xOf(s: LossSeries, i: number): number {
  return s.x ? s.x[i]! : i + 1;
}

export function lossCurveSvg(series: readonly LossSeries[], o: LossCurveOptions = {}): string {
  if (series.length === 0) throw new RangeError('loss curve: no series');
  for (const s of series) {
    if (s.x && s.x.length !== s.values.length) throw new RangeError(`loss curve: series "${s.name}" has ${s.x.length} x values for ${s.values.length} values`);
  }
  const width = Math.round(o.width ?? 640);
  const height = Math.round(o.height ?? 400);
  const xsAll: number[] = [];
  const ysAll: number[] = [];
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v)) { ysAll.push(v); xsAll.push(xOf(s, i)); }
    }
  }
  const ex = extent(xsAll) ?? [0, 1];
  const ey = extent(ysAll) ?? [0, 1];
  const positive = ysAll.length > 0 && ey[0] > 0;
  const logY = o.logY === 'auto' || o.logY === undefined ? positive && ey[1] / ey[0] > 100 : o.logY && positive;

  const top = o.title ? 36 : 14;
  const frame: Frame = { x: 74, y: top, width: width - 74 - 18, height: height - top - 50 };
  // Epoch axes end at the data: a run of 37 epochs ends at 37, not 40.
  const xPad = (ex[1] - ex[0]) * 0.02;
  const xDomain: [number, number] = ex[0] === ex[1] ? [ex[0] - 1, ex[1] + 1] : [ex[0] - xPad, ex[1] + xPad];
  const xs = linearScale(xDomain, [frame.x, frame.x + frame.width]);
  let ys: Scale;
  if (logY) {
    const lo = ey[0] / 1.25;
    const hi = ey[1] * 1.25;
    ys = logScale([lo, hi], [frame.y + frame.height, frame.y]);
  } else {
    const span = ey[1] - ey[0] || Math.abs(ey[0]) || 1;
    const lo = ey[0] >= 0 && ey[0] - span * 0.06 < 0 ? 0 : ey[0] - span * 0.06;
    ys = linearScale(niceDomain(lo, ey[1] + span * 0.06, 5), [frame.y + frame.height, frame.y]);
  }
  const axes = drawAxes(frame, {
    x: { scale: xs, label: o.xLabel ?? 'Epoch', format: integerTicks(xs), tickValues: xs.ticks(6).filter((v) => o.xLabel !== undefined || Number.isInteger(v)) },
    y: { scale: ys, label: o.yLabel ?? (logY ? 'Loss (log scale)' : 'Loss') },
    grid: true,
    ...(o.title ? { title: o.title } : {}),
  });
  const [clipDef, clip] = clipTo(frame, 'loss-frame');
  const body = [el('defs', {}, clipDef), ...axes.under];
  const lines: string[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? categoryColor(k);
    let d = '';
    let pen = false;
    const marks: string[] = [];
    const nFinite = Array.from(s.values).filter((v) => Number.isFinite(v) && (!logY || v > 0)).length;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v) || (logY && v <= 0)) { pen = false; continue; }
      const px = xs(xOf(s, i));
      const py = ys(v);
      d += `${pen ? 'L' : 'M'}${num(px)} ${num(py)}`;
      pen = true;
      if (nFinite <= 40) marks.push(`<circle cx="${num(px)}" cy="${num(py)}" r="2.6"/>`);
    }
    lines.push(el('path', { d, fill: 'none', stroke: color, 'stroke-width': 1.8, 'stroke-linejoin': 'round', 'stroke-linecap': 'round', 'stroke-dasharray': s.dashed ? '6 4' : undefined }));
    if (marks.length) lines.push(el('g', { fill: color }, marks));
  });
  body.push(el('g', { 'clip-path': clip }, lines));
  body.push(...axes.over);

  // legend in the top-right corner of the frame
  const rowH = 18;
  const legendW = Math.ceil(Math.max(...series.map((s) => textWidth(s.name, STYLE.tickFont + 0.5)))) + 44;
  const legendH = series.length * rowH + 10;
  const lx = frame.x + frame.width - legendW - 8;
  const ly = frame.y + 8;
  body.push(el('rect', { x: lx, y: ly, width: legendW, height: legendH, fill: '#ffffff', 'fill-opacity': 0.88, stroke: '#cccccc', 'stroke-width': 0.8, rx: 3 }));
  series.forEach((s, k) => {
    const y = ly + 5 + k * rowH + rowH / 2;
    const color = s.color ?? categoryColor(k);
    body.push(el('path', { d: `M${num(lx + 8)} ${num(y)}h22`, stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '6 4' : undefined }));
    body.push(text(lx + 36, y, s.name, { baseline: 'middle', size: STYLE.tickFont + 0.5 }));
  });
  return svgDocument(width, height, body, o.title ?? 'Loss');
}

/** Epoch ticks: whole numbers only (no 2.5 epochs). */
function integerTicks(x: Scale): (v: number) => string {
  const base = x.format(x.ticks(6));
  return (v: number) => base(v);
}

export function lossCurvePng(series: readonly LossSeries[], o: LossCurveOptions = {}): Uint8Array {
  return svgToPng(lossCurveSvg(series, o), { scale: o.scale ?? DEFAULT_SCALE });
}
