import { interpolateMagma, schemeSet2, schemeTableau10 } from 'd3-scale-chromatic';

/** 256-entry RGB table of the magma colour map (perceptually uniform). */
export const MAGMA: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interpolateMagma(i / 255)) ?? /#(..)(..)(..)/.exec(interpolateMagma(i / 255));
    if (!m) continue;
    const hex = m[0].startsWith('#');
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = hex ? parseInt(m[c + 1]!, 16) : Number(m[c + 1]);
  }
  return lut;
})();

export const magmaCss = (v: number): string => {
  const i = Math.max(0, Math.min(255, Math.round(v * 255))) * 3;
  return `rgb(${MAGMA[i]},${MAGMA[i + 1]},${MAGMA[i + 2]})`;
};

/** One colour per digit 0-9. */
export const DIGIT_COLORS: readonly string[] = schemeTableau10;
/** Speakers (cycled). */
export const SPEAKER_COLORS: readonly string[] = [...schemeSet2, ...schemeTableau10];

export const THEME = {
  bg: '#12141b',
  panel: '#191c26',
  text: '#d7dbe4',
  dim: '#8a91a3',
  grid: '#2a2f3d',
  accent: '#f79b5b',
  accent2: '#e0508a',
  blue: '#6aa6ff',
};
