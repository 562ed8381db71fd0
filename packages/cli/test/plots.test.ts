// The figures, decoded back from PNG: sizes, where things are drawn, and
// that the pixels mean what they should (louder is brighter, low frequencies
// at the bottom, early times on the left, one colour scale for both halves
// of a comparison, one colour per digit).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDsp, decodeWav } from '@specvae/dsp-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CATEGORY_COLORS, colormapLut, comparisonLayout, comparisonPng, comparisonSvg, decodePng, lossCurvePng, lossCurveSvg,
  scatterPng, scatterSvg, spectrogramLayout, spectrogramPng, spectrogramSvg, type DecodedPng, type SpectrogramInput,
} from '../src/plots/index.js';
import type { Frame } from '../src/plots/axes.js';
import { FSDD_DIR } from './helpers/cli.js';

type RGB = [number, number, number];

function pixel(img: DecodedPng, x: number, y: number): RGB {
  const o = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}
const lum = ([r, g, b]: RGB): number => 0.2126 * r + 0.7152 * g + 0.0722 * b;
const dist = (a: RGB, b: RGB): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const hex = (h: string): RGB => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** Device-pixel box of a frame, shrunk by `inset` device pixels to stay clear of the border. */
function box(f: Frame, scale: number, inset = 3): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: f.x * scale + inset, y0: f.y * scale + inset, x1: (f.x + f.width) * scale - inset, y1: (f.y + f.height) * scale - inset };
}

function meanLum(img: DecodedPng, b: { x0: number; y0: number; x1: number; y1: number }): number {
  let s = 0; let n = 0;
  for (let y = b.y0; y < b.y1; y += 2) for (let x = b.x0; x < b.x1; x += 2) { s += lum(pixel(img, x, y)); n++; }
  return s / n;
}

/** Pixels in a region darker than `threshold` (text and lines on white). */
function darkPixels(img: DecodedPng, b: { x0: number; y0: number; x1: number; y1: number }, threshold = 110): number {
  let n = 0;
  for (let y = Math.max(0, b.y0); y < Math.min(img.height, b.y1); y++) {
    for (let x = Math.max(0, b.x0); x < Math.min(img.width, b.x1); x++) if (lum(pixel(img, x, y)) < threshold) n++;
  }
  return n;
}

/** Index of the closest colour-map entry, and how far it is. */
function nearestLut(c: RGB, lut: Uint8Array): { index: number; distance: number } {
  let best = 0; let bd = Infinity;
  for (let i = 0; i < 256; i++) {
    const d = dist(c, [lut[i * 3]!, lut[i * 3 + 1]!, lut[i * 3 + 2]!]);
    if (d < bd) { bd = d; best = i; }
  }
  return { index: best, distance: bd };
}

/** 8 kHz geometry of the default preset's kind: nFft 256, hop 64. */
function synthetic(fill: (bin: number, frame: number) => number, nBins = 129, nFrames = 100): SpectrogramInput {
  const data = new Float32Array(nBins * nFrames);
  for (let k = 0; k < nBins; k++) for (let t = 0; t < nFrames; t++) data[k * nFrames + t] = fill(k, t);
  return { data, nBins, nFrames, sampleRate: 8000, hop: 64, nFft: 256 };
}

describe('spectrogram figure', () => {
  const magma = colormapLut('magma');
  // loud low band (bins 0-20, 0-656 Hz) during the first half; silence elsewhere
  const spec = synthetic((k, t) => (k <= 20 && t < 50 ? 0 : -80));
  const png = decodePng(spectrogramPng(spec, { title: 'test', dbRange: [-80, 0] }));
  const { frame, colorbar } = spectrogramLayout(720, 360, true);

  it('has the requested size at 2 device pixels per unit', () => {
    expect([png.width, png.height]).toEqual([1440, 720]);
    const small = decodePng(spectrogramPng(spec, { width: 400, height: 240, scale: 1 }));
    expect([small.width, small.height]).toEqual([400, 240]);
  });

  it('puts low frequencies at the bottom and early times on the left, in the colour map', () => {
    const b = box(frame, 2);
    // bottom-left: loud -> the top of the colour map; top-right: silent -> its bottom
    const loud = pixel(png, b.x0 + 20, b.y1 - 10);
    const quiet = pixel(png, b.x1 - 20, b.y0 + 10);
    expect(nearestLut(loud, magma)).toMatchObject({ index: 255 });
    expect(nearestLut(quiet, magma)).toMatchObject({ index: 0 });
    // the boundary in time is at frame 49.5 -> 49.5 * 64 / 8000 s of a (99.5 * 64 / 8000) s axis
    const tEdge = b.x0 - 3 + (49.5 / 99.5) * frame.width * 2;
    expect(lum(pixel(png, tEdge - 4, b.y1 - 10))).toBeGreaterThan(200);
    expect(lum(pixel(png, tEdge + 4, b.y1 - 10))).toBeLessThan(20);
    // ... and in frequency at bin 20.5 of 128.5 shown bins
    const fEdge = (frame.y + frame.height) * 2 - (20.5 / 128.5) * frame.height * 2;
    expect(lum(pixel(png, b.x0 + 20, fEdge + 4))).toBeGreaterThan(200);
    expect(lum(pixel(png, b.x0 + 20, fEdge - 4))).toBeLessThan(20);
  });

  it('draws a colour bar that runs from the bottom of the colour map to its top', () => {
    const b = box(colorbar, 2);
    const cx = (b.x0 + b.x1) / 2;
    expect(nearestLut(pixel(png, cx, b.y1 - 1), magma).index).toBeLessThan(4);
    expect(nearestLut(pixel(png, cx, b.y0 + 1), magma).index).toBeGreaterThan(251);
    let prev = -1;
    for (let y = b.y1 - 1; y >= b.y0; y -= 4) {
      const { index, distance } = nearestLut(pixel(png, cx, y), magma);
      expect(distance).toBeLessThan(3);
      expect(index).toBeGreaterThanOrEqual(prev);
      prev = index;
    }
    // tick labels and the rotated 'Level (dB)' to its right
    expect(darkPixels(png, { x0: (colorbar.x + colorbar.width) * 2 + 2, y0: b.y0, x1: png.width, y1: b.y1 })).toBeGreaterThan(500);
  });

  it('labels the axes and the title', () => {
    const f = box(frame, 2, 0);
    expect(darkPixels(png, { x0: 0, y0: f.y0, x1: f.x0 - 3, y1: f.y1 })).toBeGreaterThan(800); // Hz ticks + label
    expect(darkPixels(png, { x0: f.x0, y0: f.y1 + 3, x1: f.x1, y1: png.height })).toBeGreaterThan(800); // s ticks + label
    expect(darkPixels(png, { x0: 0, y0: 0, x1: png.width, y1: f.y0 - 3 })).toBeGreaterThan(100); // title
    const untitled = decodePng(spectrogramPng(spec, { dbRange: [-80, 0] }));
    const u = box(spectrogramLayout(720, 360, false).frame, 2, 0);
    // (only the top tick labels reach above the frame)
    expect(darkPixels(untitled, { x0: u.x0 + 20, y0: 0, x1: u.x1 - 20, y1: u.y0 - 3 })).toBe(0);
    const svg = spectrogramSvg(spec, { title: 'a <b> & c' });
    for (const t of ['Time (s)', 'Frequency (Hz)', 'Level (dB)', 'a &lt;b&gt; &amp; c', '>4000<', '>0.5<']) expect(svg).toContain(t);
  });

  it('maps a louder spectrogram to brighter pixels on a fixed dB scale, and is level-invariant on the default one', () => {
    let seed = 3;
    const noise = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const base = synthetic(() => -70 + 40 * noise());
    const louder: SpectrogramInput = { ...base, data: base.data.map((v) => v + 20) };
    const b = box(frame, 2);
    const quietImg = decodePng(spectrogramPng(base, { title: 'x', dbRange: [-80, 0] }));
    const loudImg = decodePng(spectrogramPng(louder, { title: 'x', dbRange: [-80, 0] }));
    expect(meanLum(loudImg, b)).toBeGreaterThan(meanLum(quietImg, b) + 30);
    // default range: relative to each spectrogram's own maximum
    const relA = decodePng(spectrogramPng(base, { title: 'x' }));
    const relB = decodePng(spectrogramPng(louder, { title: 'x' }));
    expect(meanLum(relA, b)).toBeCloseTo(meanLum(relB, b), 5);
  });

  it('labels the original preset geometry (22,050 Hz, n_fft 512, hop 256, 256 x 64, Nyquist row dropped)', () => {
    const s: SpectrogramInput = { data: new Float32Array(256 * 64).fill(0.5), nBins: 256, nFrames: 64, sampleRate: 22050, hop: 256, nFft: 512 };
    const svg = spectrogramSvg(s, { dbRange: [0, 1], colorbarLabel: 'Normalised level', colormap: 'viridis' });
    expect(svg).toContain('>10000<');
    expect(svg).toContain('>0.6<');
    expect(svg).toContain('Normalised level');
    const img = decodePng(spectrogramPng(s, { dbRange: [0, 1], colormap: 'viridis' }));
    const f = box(spectrogramLayout(720, 360, false).frame, 2);
    expect(nearestLut(pixel(img, (f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2), colormapLut('viridis')).index).toBe(128);
  });

  it('rejects inconsistent input with a clear message', () => {
    expect(() => spectrogramPng({ ...spec, nFrames: 99 })).toThrow(/data has 12900 values, expected nBins \* nFrames = 12771/);
    expect(() => spectrogramPng(spec, { dbRange: [0, -80] })).toThrow(/max > min/);
  });
});

describe('comparison figure (2 x 2)', () => {
  let original: { samples: Float32Array; spec: SpectrogramInput };
  let rebuilt: { samples: Float32Array; spec: SpectrogramInput };
  beforeAll(async () => {
    const dsp = await createDsp();
    const wav = decodeWav(readFileSync(join(FSDD_DIR, '7_jackson_32.wav')), { mono: true });
    const x = wav.channels[0]!;
    const geo = { nFft: 256, hop: 64 };
    const specOf = (sig: Float32Array): SpectrogramInput => ({ ...dsp.stftDb(sig, { ...geo, topDb: 80 }), sampleRate: 8000, ...geo });
    const { signal } = dsp.griffinLim(dsp.stftMagnitude(x, geo), { ...geo, length: x.length, nIter: 16 });
    original = { samples: x, spec: specOf(x) };
    rebuilt = { samples: signal, spec: specOf(signal) };
  });
  const layout = comparisonLayout(1000, 620, true, true);

  it('draws both waveforms, both spectrograms on one colour scale, one colour bar, and the titles', () => {
    const png = decodePng(comparisonPng(
      { original: { waveform: { samples: original.samples, sampleRate: 8000 }, spectrogram: original.spec },
        reconstructed: { waveform: { samples: rebuilt.samples, sampleRate: 8000 }, spectrogram: rebuilt.spec } },
      { title: '7_jackson_32.wav', subtitle: 'Griffin-Lim, 16 iterations' },
    ));
    expect([png.width, png.height]).toEqual([2000, 1240]);
    const near = (f: Frame, color: string): number => {
      const b = box(f, 2); const c = hex(color); let n = 0;
      for (let y = b.y0; y < b.y1; y += 2) for (let x = b.x0; x < b.x1; x += 2) if (dist(pixel(png, x, y), c) < 40) n++;
      return n;
    };
    expect(near(layout.waves[0], CATEGORY_COLORS[0]!)).toBeGreaterThan(500);
    expect(near(layout.waves[1], CATEGORY_COLORS[1]!)).toBeGreaterThan(500);
    expect(near(layout.waves[0], CATEGORY_COLORS[1]!)).toBe(0);
    const magma = colormapLut('magma');
    for (const f of layout.specs) {
      const b = box(f, 2); let inMap = 0; let n = 0;
      for (let y = b.y0; y < b.y1; y += 7) for (let x = b.x0; x < b.x1; x += 7) { n++; if (nearestLut(pixel(png, x, y), magma).distance < 3) inMap++; }
      expect(inMap / n).toBeGreaterThan(0.99);
    }
    // exactly one colour bar: right of the second spectrogram, none between the panels
    const cb = box(layout.colorbar, 2);
    expect(nearestLut(pixel(png, (cb.x0 + cb.x1) / 2, cb.y0 + 1), magma).index).toBeGreaterThan(250);
    let coloured = 0; // text and axes are grey; a colour bar would not be
    for (let yy = cb.y0; yy < cb.y1; yy++) {
      for (let xx = (layout.specs[0].x + layout.specs[0].width) * 2 + 2; xx < layout.specs[1].x * 2 - 2; xx++) {
        const [r, g, bl] = pixel(png, xx, yy);
        if (Math.max(r, g, bl) - Math.min(r, g, bl) > 30) coloured++;
      }
    }
    expect(coloured).toBe(0);
    expect(darkPixels(png, { x0: 0, y0: 0, x1: png.width, y1: layout.waves[0].y * 2 - 40 })).toBeGreaterThan(500);
    const svg = comparisonSvg({ original: { waveform: { samples: original.samples, sampleRate: 8000 }, spectrogram: original.spec },
      reconstructed: { waveform: { samples: rebuilt.samples, sampleRate: 8000 }, spectrogram: rebuilt.spec } });
    for (const t of ['Original waveform', 'Reconstructed waveform', 'Original spectrogram', 'Reconstructed spectrogram', 'Amplitude', 'Level (dB)']) {
      expect(svg).toContain(t);
    }
  });

  it('uses one colour scale: identical inputs give identical panels, a quieter reconstruction darker ones', () => {
    const same = decodePng(comparisonPng({
      original: { waveform: { samples: original.samples, sampleRate: 8000 }, spectrogram: original.spec },
      reconstructed: { waveform: { samples: original.samples, sampleRate: 8000 }, spectrogram: original.spec },
    }, { title: 't', subtitle: 's' }));
    const a = box(layout.specs[0], 2);
    const b = box(layout.specs[1], 2);
    let diff = 0;
    for (let y = a.y0; y < a.y1; y += 3) for (let x = 0; x < a.x1 - a.x0; x += 3) diff += dist(pixel(same, a.x0 + x, y), pixel(same, b.x0 + x, y));
    expect(diff).toBe(0);
    const quieter: SpectrogramInput = { ...original.spec, data: original.spec.data.map((v) => v - 20) };
    const img = decodePng(comparisonPng({
      original: { waveform: { samples: original.samples, sampleRate: 8000 }, spectrogram: original.spec },
      reconstructed: { waveform: { samples: original.samples.map((v) => v / 10), sampleRate: 8000 }, spectrogram: quieter },
    }, { title: 't', subtitle: 's' }));
    expect(meanLum(img, b)).toBeLessThan(meanLum(img, a) - 15);
  });
});

describe('scatter plot', () => {
  const n = 500;
  const x = new Float32Array(n); const y = new Float32Array(n); const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = i % 10; labels[i] = d;
    // digit d clusters at (d, d mod 3): separable, so each colour has its own place
    x[i] = d * 3 + Math.sin(i) * 0.5; y[i] = (d % 3) * 3 + Math.cos(i * 1.7) * 0.5;
  }
  x[7] = Number.NaN; // skipped

  it('writes one circle per finite point and a legend entry per digit, as SVG', () => {
    const svg = scatterSvg({ x, y, labels }, { title: 'PCA', xLabel: 'PC 1', yLabel: 'PC 2' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle cx="[^"]+" cy="[^"]+" r="3" fill="#/g)).toHaveLength(n - 1);
    for (let d = 0; d < 10; d++) expect(svg).toContain(`>${d}</text>`);
    for (const t of ['>Digit<', '>PC 1<', '>PC 2<', '>PCA<']) expect(svg).toContain(t);
  });

  it('draws every digit in its own colour, in the plot and in the legend, as PNG', () => {
    const png = decodePng(scatterPng({ x, y, labels }, { title: 'PCA', xLabel: 'PC 1', yLabel: 'PC 2' }));
    expect([png.width, png.height]).toEqual([1280, 1040]);
    const counts = CATEGORY_COLORS.map(() => ({ plot: 0, legend: 0 }));
    const legendX = png.width - 200;
    for (let py = 0; py < png.height; py += 2) {
      for (let px = 0; px < png.width; px += 2) {
        const c = pixel(png, px, py);
        CATEGORY_COLORS.forEach((h, d) => { if (dist(c, hex(h)) < 30) counts[d]![px > legendX ? 'legend' : 'plot']++; });
      }
    }
    for (const c of counts) { expect(c.plot).toBeGreaterThan(30); expect(c.legend).toBeGreaterThan(5); }
  });

  it('rejects arrays of different lengths', () => {
    expect(() => scatterSvg({ x, y: y.subarray(1), labels })).toThrow(/same length/);
  });
});

describe('loss curve', () => {
  const epochs = 40;
  const train = Array.from({ length: epochs }, (_, e) => 5000 * Math.exp(-e / 6) + 200);
  const val = train.map((v, e) => (e === 10 ? Number.NaN : v * 1.1));
  const kl = Array.from({ length: epochs }, (_, e) => 10 + 30 * (1 - Math.exp(-e / 5)));
  const series = [{ name: 'train', values: train }, { name: 'validation', values: val }, { name: 'KL', values: kl, dashed: true }];

  it('picks a log axis for losses spanning decades, breaks lines at missing values, and labels everything', () => {
    const svg = lossCurveSvg(series, { title: 'Loss' });
    expect(svg).toContain('Loss (log scale)');
    expect(svg).toContain('>Epoch<');
    for (const s of series) expect(svg).toContain(`>${s.name}<`);
    const paths = [...svg.matchAll(/<path d="(M[^"]+)" fill="none" stroke="(#[0-9a-f]{6})" stroke-width="1.8"/g)];
    expect(paths.map((p) => p[2])).toEqual(CATEGORY_COLORS.slice(0, 3));
    expect(paths[0]![1]!.match(/M/g)).toHaveLength(1);
    expect(paths[1]![1]!.match(/M/g)).toHaveLength(2); // the NaN at epoch 11 leaves a gap
    expect(lossCurveSvg([{ name: 'flat', values: [3, 2.5, 2.2] }])).not.toContain('log scale');
  });

  it('renders the lines as PNG', () => {
    const png = decodePng(lossCurvePng(series));
    expect([png.width, png.height]).toEqual([1280, 800]);
    for (const h of CATEGORY_COLORS.slice(0, 3)) {
      let count = 0;
      for (let py = 0; py < png.height; py += 2) for (let px = 0; px < png.width; px += 2) if (dist(pixel(png, px, py), hex(h)) < 30) count++;
      expect(count).toBeGreaterThan(100);
    }
  });
});
