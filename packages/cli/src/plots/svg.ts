// Minimal SVG writing: escaped text, compact numbers, elements as strings.

export const FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif";

export const STYLE = {
  text: '#1a1a1a',
  axis: '#333333',
  grid: '#e6e6e6',
  muted: '#666666',
  tickFont: 11,
  labelFont: 12.5,
  titleFont: 14,
  tickLength: 4,
} as const;

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A coordinate with at most 2 decimals, no trailing zeros. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

export type Attrs = Record<string, string | number | undefined | null>;

export function attrs(a: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null) continue;
    s += ` ${k}="${typeof v === 'number' ? num(v) : esc(v)}"`;
  }
  return s;
}

export function el(tag: string, a: Attrs, children?: string | readonly string[]): string {
  if (children === undefined) return `<${tag}${attrs(a)}/>`;
  const inner = typeof children === 'string' ? children : children.join('');
  return `<${tag}${attrs(a)}>${inner}</${tag}>`;
}

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  baseline?: 'auto' | 'middle' | 'hanging' | 'central';
  weight?: 'normal' | 'bold';
  fill?: string;
  rotate?: number;
}

/** A text element; `dy` tweaks replace dominant-baseline, which not every renderer honours. */
export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const size = o.size ?? STYLE.tickFont;
  const dy = o.baseline === 'middle' || o.baseline === 'central' ? size * 0.35 : o.baseline === 'hanging' ? size * 0.8 : 0;
  const transform = o.rotate ? `rotate(${num(o.rotate)} ${num(x)} ${num(y)})` : undefined;
  return el('text', {
    x, y: y + dy, 'font-size': size, 'text-anchor': o.anchor ?? 'start', 'font-weight': o.weight === 'bold' ? 'bold' : undefined,
    fill: o.fill ?? STYLE.text, transform,
  }, esc(content));
}

/** Approximate width of a text in DejaVu Sans (about 0.6 em a character). */
export function textWidth(content: string, size: number): number {
  let w = 0;
  for (const ch of content) w += /[il.,:;'|!]/.test(ch) ? 0.32 : /[mwMW]/.test(ch) ? 0.9 : /[A-Z0-9]/.test(ch) ? 0.66 : 0.6;
  return w * size;
}

export function svgDocument(width: number, height: number, body: readonly string[], title?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${esc(FONT_FAMILY)}">`,
    title ? `<title>${esc(title)}</title>` : '',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
