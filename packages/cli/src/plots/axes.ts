// Axes for a rectangular plot area: frame, outward ticks, tick labels, axis
// labels, optional grid and title, in the style of a careful journal figure.
import type { Scale } from './scale.js';
import { STYLE, el, num, text, textWidth } from './svg.js';

/** A plot area in SVG units; integers, so raster images map 1:1 onto device pixels. */
export interface Frame {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface AxisOptions {
  scale: Scale;
  label?: string;
  /** About how many ticks (default 6 for x, 5 for y). */
  ticks?: number;
  tickValues?: readonly number[];
  format?: (v: number) => string;
}

export interface AxesOptions {
  x: AxisOptions;
  y: AxisOptions;
  /** Light grid lines at the ticks, under the data (default false). */
  grid?: boolean;
  title?: string;
}

export interface AxesParts {
  /** Grid: draw before the data. */
  under: string[];
  /** Frame, ticks and labels: draw after the data. */
  over: string[];
  /** Width taken left of the frame by the y tick labels and label. */
  leftExtent: number;
}

export function tickValues(a: AxisOptions, fallback: number): number[] {
  return a.tickValues ? [...a.tickValues] : a.scale.ticks(a.ticks ?? fallback);
}

export function drawAxes(frame: Frame, o: AxesOptions): AxesParts {
  const { x, y, width, height } = frame;
  const under: string[] = [];
  const over: string[] = [];
  const tl = STYLE.tickLength;
  const inside = (v: number, lo: number, hi: number): boolean => v >= Math.min(lo, hi) - 0.5 && v <= Math.max(lo, hi) + 0.5;

  const xt = tickValues(o.x, 6).filter((v) => inside(o.x.scale(v), x, x + width));
  const yt = tickValues(o.y, 5).filter((v) => inside(o.y.scale(v), y, y + height));
  const xf = o.x.format ?? o.x.scale.format(xt);
  const yf = o.y.format ?? o.y.scale.format(yt);

  if (o.grid) {
    const lines: string[] = [];
    for (const v of xt) { const px = Math.round(o.x.scale(v)) + 0.5; lines.push(`M${num(px)} ${y}V${y + height}`); }
    for (const v of yt) { const py = Math.round(o.y.scale(v)) + 0.5; lines.push(`M${x} ${num(py)}H${x + width}`); }
    under.push(el('path', { d: lines.join(''), stroke: STYLE.grid, 'stroke-width': 1, fill: 'none' }));
  }

  const ticks: string[] = [];
  for (const v of xt) { const px = o.x.scale(v); ticks.push(`M${num(px)} ${y + height}v${tl}`); }
  for (const v of yt) { const py = o.y.scale(v); ticks.push(`M${x} ${num(py)}h${-tl}`); }
  over.push(el('rect', { x, y, width, height, fill: 'none', stroke: STYLE.axis, 'stroke-width': 1 }));
  over.push(el('path', { d: ticks.join(''), stroke: STYLE.axis, 'stroke-width': 1, fill: 'none' }));

  for (const v of xt) over.push(text(o.x.scale(v), y + height + tl + 3, xf(v), { anchor: 'middle', baseline: 'hanging' }));
  let maxY = 0;
  for (const v of yt) {
    const label = yf(v);
    maxY = Math.max(maxY, textWidth(label, STYLE.tickFont));
    over.push(text(x - tl - 3, o.y.scale(v), label, { anchor: 'end', baseline: 'middle' }));
  }
  if (o.x.label) {
    over.push(text(x + width / 2, y + height + tl + 3 + STYLE.tickFont + 8, o.x.label, { anchor: 'middle', baseline: 'hanging', size: STYLE.labelFont }));
  }
  const leftExtent = tl + 3 + maxY + 8 + STYLE.labelFont;
  if (o.y.label) {
    over.push(text(x - leftExtent + STYLE.labelFont * 0.8, y + height / 2, o.y.label, { anchor: 'middle', size: STYLE.labelFont, rotate: -90 }));
  }
  if (o.title) over.push(text(x + width / 2, y - 9, o.title, { anchor: 'middle', size: STYLE.titleFont - 0.5 }));
  return { under, over, leftExtent };
}

/** A clip path to keep data inside the frame; returns [definition, clip-path attribute value]. */
export function clipTo(frame: Frame, id: string): [string, string] {
  return [
    el('clipPath', { id }, el('rect', { x: frame.x, y: frame.y, width: frame.width, height: frame.height })),
    `url(#${id})`,
  ];
}
