// Scatter plots of 2-D points coloured by class (digit), with a legend: for
// PCA / t-SNE views of latent means.
import { clipTo, drawAxes, type Frame } from './axes.js';
import { categoryColor } from './colormap.js';
import { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
import { extent, linearScale } from './scale.js';
import { STYLE, el, num, svgDocument, text, textWidth } from './svg.js';

export interface ScatterInput {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Class of each point (an integer from 0; digit d is drawn in colour d). */
  labels: ArrayLike<number>;
  /** Legend names of the classes (default '0', '1', ...). */
  classNames?: readonly string[];
}

export interface ScatterOptions extends RasterOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Legend heading (default 'Digit'). */
  legendTitle?: string;
  /** Figure size in SVG units (default 640 x 520). */
  width?: number;
  height?: number;
  /** Point radius (default 3). */
  radius?: number;
  /** Same x and y units per pixel (for t-SNE / PCA, default true). */
  equalAspect?: boolean;
}

/** A fixed pseudo-random drawing order, so no class is systematically painted over the others. */
function drawOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  return order;
}

export function scatterSvg(input: ScatterInput, o: ScatterOptions = {}): string {
  const n = input.x.length;
  if (input.y.length !== n || input.labels.length !== n) {
    throw new RangeError(`scatter: x, y and labels must have the same length (${n}, ${input.y.length}, ${input.labels.length})`);
  }
  const width = Math.round(o.width ?? 640);
  const height = Math.round(o.height ?? 520);
  let nClasses = input.classNames?.length ?? 0;
  for (let i = 0; i < n; i++) nClasses = Math.max(nClasses, Math.floor(input.labels[i]!) + 1);
  const names = Array.from({ length: nClasses }, (_, c) => input.classNames?.[c] ?? String(c));
  const legendTitle = o.legendTitle ?? 'Digit';
  const legendW = Math.ceil(Math.max(textWidth(legendTitle, STYLE.labelFont), ...names.map((s) => 18 + textWidth(s, STYLE.tickFont + 0.5)))) + 20;

  const top = o.title ? 36 : 14;
  const frame: Frame = { x: 66, y: top, width: width - 66 - legendW - 16, height: height - top - 50 };
  const ex = extent(Array.from(input.x)) ?? [0, 1];
  const ey = extent(Array.from(input.y)) ?? [0, 1];
  const pad = (e: [number, number]): [number, number] => {
    const span = e[1] - e[0] || Math.abs(e[0]) || 1;
    return [e[0] - span * 0.05, e[1] + span * 0.05];
  };
  let dx = pad(ex);
  let dy = pad(ey);
  if (o.equalAspect ?? true) {
    // widen the narrower domain so one unit is as long on both axes
    const ux = (dx[1] - dx[0]) / frame.width;
    const uy = (dy[1] - dy[0]) / frame.height;
    if (ux > uy) { const c = (dy[0] + dy[1]) / 2; const h = (ux * frame.height) / 2; dy = [c - h, c + h]; }
    else { const c = (dx[0] + dx[1]) / 2; const h = (uy * frame.width) / 2; dx = [c - h, c + h]; }
  }
  const xs = linearScale(dx, [frame.x, frame.x + frame.width]);
  const ys = linearScale(dy, [frame.y + frame.height, frame.y]);
  const axes = drawAxes(frame, {
    x: { scale: xs, ...(o.xLabel ? { label: o.xLabel } : {}) },
    y: { scale: ys, ...(o.yLabel ? { label: o.yLabel } : {}) },
    grid: true,
    ...(o.title ? { title: o.title } : {}),
  });
  const r = o.radius ?? 3;
  const [clipDef, clip] = clipTo(frame, 'scatter-frame');
  const dots: string[] = [];
  for (const i of drawOrder(n)) {
    const px = input.x[i]!;
    const py = input.y[i]!;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    dots.push(`<circle cx="${num(xs(px))}" cy="${num(ys(py))}" r="${num(r)}" fill="${categoryColor(Math.floor(input.labels[i]!))}"/>`);
  }
  const body = [el('defs', {}, clipDef), ...axes.under];
  body.push(el('g', { 'clip-path': clip, 'fill-opacity': 0.78, stroke: '#ffffff', 'stroke-width': 0.4 }, dots));
  body.push(...axes.over);

  // legend, right of the frame
  const lx = frame.x + frame.width + 16;
  let ly = frame.y + 2;
  body.push(text(lx, ly, legendTitle, { baseline: 'hanging', size: STYLE.labelFont }));
  ly += STYLE.labelFont + 10;
  for (let c = 0; c < nClasses; c++) {
    body.push(el('circle', { cx: lx + 6, cy: ly + 6, r: 4.5, fill: categoryColor(c) }));
    body.push(text(lx + 18, ly + 6, names[c]!, { baseline: 'middle', size: STYLE.tickFont + 0.5 }));
    ly += 19;
  }
  return svgDocument(width, height, body, o.title ?? 'Scatter plot');
}

export function scatterPng(input: ScatterInput, o: ScatterOptions = {}): Uint8Array {
  return svgToPng(scatterSvg(input, o), { scale: o.scale ?? DEFAULT_SCALE });
}
