// Colour maps: perceptually uniform sequential maps for spectrograms
// (matplotlib's viridis / magma / inferno, through d3-scale-chromatic) and
// Tableau's 10 categorical colours for digits.
import { interpolateInferno, interpolateMagma, interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';

export type ColormapName = 'viridis' | 'magma' | 'inferno' | 'gray';

const cache = new Map<ColormapName, Uint8Array>();

function parseColor(c: string): [number, number, number] {
  if (c.startsWith('#') && c.length === 7) {
    return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  }
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new Error(`cannot parse colour ${c}`);
}

/** 256 RGB triplets (768 bytes): entry i is the colour of i / 255. */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name);
  if (hit) return hit;
  const lut = new Uint8Array(256 * 3);
  const f = name === 'viridis' ? interpolateViridis : name === 'magma' ? interpolateMagma : name === 'inferno' ? interpolateInferno : null;
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = f ? parseColor(f(i / 255)) : [i, i, i];
    lut[i * 3] = r;
    lut[i * 3 + 1] = g;
    lut[i * 3 + 2] = b;
  }
  cache.set(name, lut);
  return lut;
}

export function isColormap(name: string): name is ColormapName {
  return name === 'viridis' || name === 'magma' || name === 'inferno' || name === 'gray';
}

/** Tableau 10: distinct, colour-blind-friendlier categorical colours (digit d gets colour d). */
export const CATEGORY_COLORS: readonly string[] = schemeTableau10;

export function categoryColor(i: number): string {
  const n = CATEGORY_COLORS.length;
  return CATEGORY_COLORS[((i % n) + n) % n]!;
}

export function rgbOf(hex: string): [number, number, number] {
  return parseColor(hex);
}
