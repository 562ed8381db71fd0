/**
 * Checks the reference fixtures themselves (not the DSP code), so that a wrong
 * reference cannot silently pass the package's tests: every expected output
 * is recomputed here from the stored inputs with slow, obvious float64 code
 * (naive DFTs, direct convolutions) and checked against analytic identities
 * (Parseval, silence, impulses, round trips, 20 log10, top_db clipping,
 * Griffin-Lim convergence).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import dbJson from './fixtures/db.json' with { type: 'json' };
import griffinlimJson from './fixtures/griffinlim.json' with { type: 'json' };
import istftJson from './fixtures/istft.json' with { type: 'json' };
import resampleJson from './fixtures/resample.json' with { type: 'json' };
import rfftJson from './fixtures/rfft.json' with { type: 'json' };
import stftJson from './fixtures/stft.json' with { type: 'json' };
import { type FixtureCase, at2, loadFixtureFile } from './helpers/fixtures.js';

const rfft = loadFixtureFile(rfftJson);
const stft = loadFixtureFile(stftJson);
const istft = loadFixtureFile(istftJson);
const gl = loadFixtureFile(griffinlimJson);
const db = loadFixtureFile(dbJson);
const resample = loadFixtureFile(resampleJson);

// ---------------------------------------------------------------------------
// Slow float64 reference code
// ---------------------------------------------------------------------------

interface Complex {
  re: Float64Array;
  im: Float64Array;
}

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      cos[j] = Math.cos((2 * Math.PI * j) / n);
      sin[j] = Math.sin((2 * Math.PI * j) / n);
    }
    t = { cos, sin };
    twiddleCache.set(n, t);
  }
  return t;
}

/** Naive real DFT: X[k] = sum_n x[n] exp(-2 pi i k n / N), k = 0..N/2. */
function dftReal(x: ArrayLike<number>, n: number): Complex {
  const { cos, sin } = twiddles(n);
  const nb = n / 2 + 1;
  const re = new Float64Array(nb);
  const im = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    let sr = 0;
    let si = 0;
    let idx = 0;
    for (let j = 0; j < n; j++) {
      const v = x[j] as number;
      sr += v * (cos[idx] as number);
      si -= v * (sin[idx] as number);
      idx += k;
      if (idx >= n) idx -= n;
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

/** Naive inverse real DFT of a half spectrum (imag of DC and Nyquist ignored, as numpy.fft.irfft). */
function idftReal(re: ArrayLike<number>, im: ArrayLike<number>, n: number): Float64Array {
  const { cos, sin } = twiddles(n);
  const half = n / 2;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = (re[0] as number) + (j % 2 === 0 ? 1 : -1) * (re[half] as number);
    let idx = 0;
    for (let k = 1; k < half; k++) {
      idx += j;
      if (idx >= n) idx %= n;
      s += 2 * ((re[k] as number) * (cos[idx] as number) - (im[k] as number) * (sin[idx] as number));
    }
    out[j] = s / n;
  }
  return out;
}

/** Periodic Hann of length L, zero-padded centred to nFft (librosa's pad_center). */
function stftWindow(nFft: number, winLength: number): Float64Array {
  const w = new Float64Array(nFft);
  const lpad = Math.floor((nFft - winLength) / 2);
  for (let i = 0; i < winLength; i++) w[lpad + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / winLength);
  return w;
}

function padSignal(y: ArrayLike<number>, p: number, mode: string): Float64Array {
  const n = y.length;
  const out = new Float64Array(n + 2 * p);
  for (let i = 0; i < n; i++) out[p + i] = y[i] as number;
  if (mode === 'reflect') {
    if (p > n - 1) throw new Error('reflect pad longer than signal');
    for (let j = 1; j <= p; j++) {
      out[p - j] = y[j] as number;
      out[p + n - 1 + j] = y[n - 1 - j] as number;
    }
  } else if (mode !== 'constant') {
    throw new Error(`pad mode ${mode}`);
  }
  return out;
}

interface StftParams {
  nFft: number;
  hop: number;
  win: number;
  center: boolean;
  padMode: string;
}

function stftParams(c: FixtureCase): StftParams {
  return {
    nFft: c.num('n_fft'),
    hop: c.num('hop_length'),
    win: c.num('win_length'),
    center: c.bool('center'),
    padMode: c.hasParam('pad_mode') ? c.str('pad_mode') : 'constant',
  };
}

function nFramesFor(nSamples: number, p: StftParams): number {
  return p.center ? 1 + Math.floor(nSamples / p.hop) : 1 + Math.floor((nSamples - p.nFft) / p.hop);
}

/** Naive librosa.stft -> bin-major [nBins, nFrames]. */
function stftNaive(y: ArrayLike<number>, p: StftParams): Complex & { nBins: number; nFrames: number } {
  const padded = p.center ? padSignal(y, p.nFft / 2, p.padMode) : Float64Array.from(y);
  const nFrames = 1 + Math.floor((padded.length - p.nFft) / p.hop);
  const nBins = p.nFft / 2 + 1;
  const w = stftWindow(p.nFft, p.win);
  const re = new Float64Array(nBins * nFrames);
  const im = new Float64Array(nBins * nFrames);
  const buf = new Float64Array(p.nFft);
  for (let t = 0; t < nFrames; t++) {
    for (let i = 0; i < p.nFft; i++) buf[i] = (w[i] as number) * (padded[t * p.hop + i] as number);
    const X = dftReal(buf, p.nFft);
    for (let k = 0; k < nBins; k++) {
      re[k * nFrames + t] = X.re[k] as number;
      im[k * nFrames + t] = X.im[k] as number;
    }
  }
  return { re, im, nBins, nFrames };
}

/** Naive librosa.istft. */
function istftNaive(
  re: ArrayLike<number>,
  im: ArrayLike<number>,
  nBins: number,
  nFramesIn: number,
  p: StftParams,
  length: number | null,
): Float64Array {
  const { nFft, hop, center } = p;
  let nFrames = nFramesIn;
  if (length !== null) {
    const padded = center ? length + 2 * (nFft / 2) : length;
    nFrames = Math.min(nFrames, Math.ceil(padded / hop));
  }
  const w = stftWindow(nFft, p.win);
  const total = nFft + hop * (nFrames - 1);
  const acc = new Float64Array(total);
  const wss = new Float64Array(total);
  const colRe = new Float64Array(nBins);
  const colIm = new Float64Array(nBins);
  for (let t = 0; t < nFrames; t++) {
    for (let k = 0; k < nBins; k++) {
      colRe[k] = re[k * nFramesIn + t] as number;
      colIm[k] = im[k * nFramesIn + t] as number;
    }
    const frame = idftReal(colRe, colIm, nFft);
    for (let i = 0; i < nFft; i++) {
      const wi = w[i] as number;
      acc[t * hop + i] = (acc[t * hop + i] as number) + wi * (frame[i] as number);
      wss[t * hop + i] = (wss[t * hop + i] as number) + wi * wi;
    }
  }
  const start = center ? nFft / 2 : 0;
  const outLen = length ?? total - (center ? nFft : 0);
  const y = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const src = start + i;
    if (src >= total) break;
    const s = wss[src] as number;
    y[i] = s > 2.2250738585072014e-308 ? (acc[src] as number) / s : (acc[src] as number);
  }
  return y;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length), from = 0): number {
  let m = 0;
  for (let i = from; i < n; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function spectralConvergence(re: ArrayLike<number>, im: ArrayLike<number>, S: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < S.length; i++) {
    const s = S[i] as number;
    const d = Math.hypot(re[i] as number, im[i] as number) - s;
    num += d * d;
    den += s * s;
  }
  return Math.sqrt(num / den);
}

/** Minimal RIFF/WAVE PCM16 mono reader, for checking the copied FSDD clips. */
function readPcm16(url: URL): Float64Array {
  const buf = readFileSync(url);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o] ?? 0, buf[o + 1] ?? 0, buf[o + 2] ?? 0, buf[o + 3] ?? 0);
  expect(tag(0)).toBe('RIFF');
  expect(tag(8)).toBe('WAVE');
  let off = 12;
  let bits = 0;
  while (off + 8 <= buf.byteLength) {
    const id = tag(off);
    const size = view.getUint32(off + 4, true);
    if (id === 'fmt ') {
      expect(view.getUint16(off + 8, true)).toBe(1); // PCM
      expect(view.getUint16(off + 10, true)).toBe(1); // mono
      expect(view.getUint32(off + 12, true)).toBe(8000);
      bits = view.getUint16(off + 22, true);
    } else if (id === 'data') {
      expect(bits).toBe(16);
      const n = size / 2;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 8 + 2 * i, true) / 32768;
      return out;
    }
    off += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

// ---------------------------------------------------------------------------

describe('fixture files', () => {
  it('all have the generator tag and unique, non-empty cases', () => {
    for (const f of [rfft, stft, istft, gl, db, resample]) {
      expect(f.generator).toBe('scripts/make_fixtures.py');
      expect(f.cases.length).toBeGreaterThan(0);
      expect(new Set(f.names()).size).toBe(f.cases.length);
      for (const c of f.cases) {
        for (const key of c.keys()) {
          const a = c.array(key);
          expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
          expect(a.data.every(Number.isFinite)).toBe(true);
        }
      }
    }
  });

  it('loader: at2 indexes bin-major [nBins, nFrames]', () => {
    const c = stft.get('synth8k/clicks');
    const re = c.array('re');
    const [nBins, nFrames] = re.shape as [number, number];
    expect(at2(re, 3, 5)).toBe(re.data[3 * nFrames + 5]);
    expect(at2(re, nBins - 1, nFrames - 1)).toBe(re.data[re.data.length - 1]);
    expect(() => at2(re, nBins, 0)).toThrow();
  });
});

describe('rfft.json', () => {
  const cases = rfft.withPrefix('rfft/');
  it('has n = 16 .. 8192', () => {
    expect(cases.map((c) => c.num('n'))).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]);
  });

  for (const c of cases) {
    it(`${c.name}: matches a naive DFT, Parseval, DC/Nyquist`, () => {
      const n = c.num('n');
      const x = c.f64('x');
      const { re, im } = c.complex();
      expect(x.length).toBe(n);
      expect(re.length).toBe(n / 2 + 1);
      const X = dftReal(x, n);
      const scale = Math.sqrt(n);
      expect(maxAbsDiff(X.re, re)).toBeLessThan(1e-12 * n * scale);
      expect(maxAbsDiff(X.im, im)).toBeLessThan(1e-12 * n * scale);

      let energy = 0;
      let dc = 0;
      let nyq = 0;
      for (let j = 0; j < n; j++) {
        const v = x[j] as number;
        energy += v * v;
        dc += v;
        nyq += j % 2 === 0 ? v : -v;
      }
      let spec = 0;
      for (let k = 0; k <= n / 2; k++) {
        const p = (re[k] as number) ** 2 + (im[k] as number) ** 2;
        spec += k === 0 || k === n / 2 ? p : 2 * p;
      }
      expect(Math.abs(spec / n - energy) / energy).toBeLessThan(1e-13);
      expect(Math.abs((re[0] as number) - dc)).toBeLessThan(1e-12 * n);
      expect(Math.abs((re[n / 2] as number) - nyq)).toBeLessThan(1e-12 * n);
      expect(im[0]).toBe(0);
      expect(im[n / 2]).toBe(0);
      expect(c.num('parseval_rel_err')).toBeLessThan(1e-14);
      expect(c.num('irfft_roundtrip_max_abs_err')).toBeLessThan(1e-14);
    });
  }

  for (const c of rfft.withPrefix('irfft/')) {
    it(`${c.name}: matches a naive inverse DFT and round-trips`, () => {
      const n = c.num('n');
      const { re, im } = c.complex();
      const y = c.f64('y');
      expect(y.length).toBe(n);
      const ref = idftReal(re, im, n);
      expect(maxAbsDiff(ref, y)).toBeLessThan(1e-13 * n);
      // rfft(irfft(X)) == X, except the imaginary parts at DC and Nyquist, which irfft drops.
      const back = dftReal(y, n);
      expect(maxAbsDiff(back.re, re)).toBeLessThan(1e-12 * n);
      const imKept = Float64Array.from(im);
      imKept[0] = 0;
      imKept[n / 2] = 0;
      expect(maxAbsDiff(back.im, imKept)).toBeLessThan(1e-12 * n);
      if (c.name === 'irfft/discards_dc_nyquist_imag') {
        expect(Math.abs(im[0] as number)).toBeGreaterThan(0.01);
        expect(Math.abs(im[n / 2] as number)).toBeGreaterThan(0.01);
      }
    });
  }
});

describe('stft.json', () => {
  it('has the original geometry 257 x 64 from 16,317 samples', () => {
    for (const name of ['orig/0_george_0.wav', 'orig/9_theo_16.wav']) {
      const c = stft.get(name);
      expect(c.num('n_samples')).toBe(16317);
      expect(c.shape('re')).toEqual([257, 64]);
      expect([c.num('n_fft'), c.num('hop_length'), c.num('win_length')]).toEqual([512, 256, 512]);
      expect(c.bool('center')).toBe(true);
      expect(c.str('pad_mode')).toBe('constant');
    }
  });

  for (const c of stft.cases) {
    it(`${c.name}: shape, and matches a naive windowed DFT`, () => {
      const p = stftParams(c);
      const y = c.f64('y');
      const { re, im, shape } = c.complex();
      const nFrames = nFramesFor(y.length, p);
      expect(shape).toEqual([p.nFft / 2 + 1, nFrames]);
      expect([c.num('n_bins'), c.num('n_frames'), c.num('n_samples')]).toEqual([p.nFft / 2 + 1, nFrames, y.length]);
      const ref = stftNaive(y, p);
      expect(ref.nFrames).toBe(nFrames);
      const m = c.num('max_abs');
      const tol = 1e-6 * m + 1e-12;
      expect(maxAbsDiff(ref.re, re)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(ref.im, im)).toBeLessThanOrEqual(tol);
      // Real input: DC and Nyquist bins are real.
      for (let t = 0; t < nFrames; t++) {
        expect(im[t]).toBe(0);
        expect(im[(p.nFft / 2) * nFrames + t]).toBe(0);
      }
    });
  }

  it('STFT of silence is exactly 0', () => {
    for (const name of ['synth8k/silence', 'synth22k/silence']) {
      const c = stft.get(name);
      expect(maxAbs(c.f64('y'))).toBe(0);
      expect(maxAbs(c.f64('re'))).toBe(0);
      expect(maxAbs(c.f64('im'))).toBe(0);
    }
  });

  it('a frame holding one unit impulse at offset m has |X[k]| = w[m] in every bin', () => {
    for (const name of ['synth8k/clicks', 'synth22k/clicks']) {
      const c = stft.get(name);
      const p = stftParams(c);
      const y = c.f64('y');
      const { re, im, shape } = c.complex();
      const [nBins, nFrames] = shape as [number, number];
      const w = stftWindow(p.nFft, p.win);
      const clicks: number[] = [];
      y.forEach((v, i) => {
        if (v !== 0) clicks.push(i);
      });
      expect(clicks).toEqual(Array.from({ length: Math.ceil(y.length / 1000) }, (_, i) => 1000 * i));
      let checked = 0;
      for (let t = 0; t < nFrames; t++) {
        const inFrame = clicks.map((q) => q - t * p.hop + p.nFft / 2).filter((m) => m >= 0 && m < p.nFft);
        if (inFrame.length === 0) {
          for (let k = 0; k < nBins; k++) expect(Math.hypot(re[k * nFrames + t] as number, im[k * nFrames + t] as number)).toBe(0);
          continue;
        }
        expect(inFrame.length).toBe(1);
        const wm = w[inFrame[0] as number] as number;
        for (let k = 0; k < nBins; k++) {
          expect(Math.abs(Math.hypot(re[k * nFrames + t] as number, im[k * nFrames + t] as number) - wm)).toBeLessThan(1e-7);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(2);
    }
  });

  it('the native-rate inputs are the copied FSDD clips (int16 / 32768)', () => {
    for (const clip of ['0_george_0.wav', '7_jackson_32.wav']) {
      const wav = readPcm16(new URL(`./fixtures/fsdd/${clip}`, import.meta.url));
      const y = stft.get(`native/${clip}`).f64('y');
      expect(y.length).toBe(wav.length);
      expect(maxAbsDiff(y, wav)).toBe(0);
    }
    const theo = readPcm16(new URL('./fixtures/fsdd/9_theo_16.wav', import.meta.url));
    expect(theo.length).toBe(18262);
    const load = resample.get('load/9_theo_16.wav').f64('x');
    expect(load.length).toBe(5920); // int(0.74 * 8000)
    expect(maxAbsDiff(load, theo, 5920)).toBe(0);
  });

  it('reflect padding differs from zero padding only in the edge frames', () => {
    const c = stft.get('reflect/noise8k');
    const p = stftParams(c);
    const y = c.f64('y');
    const { re, shape } = c.complex();
    const nFrames = (shape as [number, number])[1];
    const zero = stftNaive(y, { ...p, padMode: 'constant' });
    const edge = Math.ceil(p.nFft / 2 / p.hop); // frames touching the padding at each end
    let interior = 0;
    let edges = 0;
    for (let k = 0; k <= p.nFft / 2; k++) {
      for (let t = 0; t < nFrames; t++) {
        const d = Math.abs((zero.re[k * nFrames + t] as number) - (re[k * nFrames + t] as number));
        if (t < edge || t >= nFrames - edge - 1) edges = Math.max(edges, d);
        else interior = Math.max(interior, d);
      }
    }
    expect(interior).toBeLessThan(1e-5);
    expect(edges).toBeGreaterThan(0.1);
  });
});

describe('istft.json', () => {
  for (const c of istft.cases) {
    it(`${c.name}: length semantics and a naive overlap-add`, () => {
      const p = stftParams(c);
      const { re, im, shape } = c.complex();
      const [nBins, nFrames] = shape as [number, number];
      const length = c.numOrNull('length');
      const natural = p.center ? p.hop * (nFrames - 1) : p.nFft + p.hop * (nFrames - 1);
      expect(c.num('natural_length')).toBe(natural);
      const y = c.f64('y');
      expect(y.length).toBe(length ?? natural);
      const ref = istftNaive(re, im, nBins, nFrames, p, length);
      const tol = (c.array('y').dtype === 'float32' ? 1e-6 : 1e-10) * Math.max(1, maxAbs(ref));
      expect(maxAbsDiff(ref, y)).toBeLessThan(tol);
    });
  }

  it('ISTFT(STFT(x)) == x (up to the float32 rounding of the stored spectrum)', () => {
    for (const c of istft.cases) {
      if (!c.has('x')) continue;
      const x = c.f64('x');
      const y = c.f64('y');
      const n = Math.min(x.length, y.length);
      expect(c.num('roundtrip_compared_samples')).toBe(n);
      if (c.bool('center')) {
        expect(maxAbsDiff(x, y, n)).toBeLessThan(1e-6);
        expect(c.num('roundtrip_max_abs_err')).toBeLessThan(1e-6);
      } else {
        // center=False: exact away from the ends, where the window sum is ~0.
        const nFft = c.num('n_fft');
        expect(maxAbsDiff(x, y, n - nFft, nFft)).toBeLessThan(1e-6);
        expect(c.num('roundtrip_max_abs_err_interior')).toBeLessThan(1e-6);
        expect(y[0]).toBe(0);
      }
    }
  });

  it('roundtrip_orig: STFT(y) reproduces the stored spectrum (consistent spectrum)', () => {
    const c = istft.get('roundtrip_orig/0_george_0.wav');
    const p = stftParams(c);
    expect(c.num('length')).toBe(16317);
    const S = stftNaive(c.f64('y'), { ...p, padMode: 'constant' });
    const { re, im } = c.complex();
    const tol = 1e-5 * Math.max(maxAbs(re), maxAbs(im));
    expect(maxAbsDiff(S.re, re)).toBeLessThan(tol);
    expect(maxAbsDiff(S.im, im)).toBeLessThan(tol);
    expect(c.num('roundtrip_max_abs_err')).toBeLessThan(1e-6);
  });

  it('length: shorter is a prefix of natural; longer is zero past the last frame', () => {
    const natural = istft.get('roundtrip_natural/noise8k').f64('y');
    const shorter = istft.get('length_shorter/noise8k').f64('y');
    expect(maxAbsDiff(natural, shorter, shorter.length)).toBeLessThan(1e-12);
    const longer = istft.get('length_longer/noise8k');
    const y = longer.f64('y');
    const covered = longer.num('n_fft') / 2 + longer.num('hop_length') * (longer.num('n_frames') - 1);
    expect(covered).toBeLessThan(y.length);
    expect(maxAbs(y.subarray(covered))).toBe(0);
    expect(maxAbs(y.subarray(covered - 16, covered))).toBeGreaterThan(0);
    expect(maxAbsDiff(natural, y, natural.length)).toBeLessThan(1e-12);
  });
});

describe('griffinlim.json', () => {
  for (const c of gl.cases) {
    it(`${c.name}: convergence goes down, and sc_final is the SC of stft(y)`, () => {
      const nIter = c.num('n_iter');
      const sc = c.f64('sc_per_iter');
      expect(sc.length).toBe(nIter);
      expect(c.shape('S')).toEqual([257, 64]);
      const S = c.f64('S');
      expect(S.every((v) => v >= 0)).toBe(true);
      // Non-increasing-ish: momentum allows small bumps, never big ones.
      for (let i = 1; i < nIter; i++) expect(sc[i] as number).toBeLessThanOrEqual((sc[i - 1] as number) * 1.02);
      const first = sc[0] as number;
      const last = sc[nIter - 1] as number;
      expect(first).toBeGreaterThan(0.5); // zero phase is a poor start
      expect(last).toBeLessThan(first / 4);
      expect(c.num('sc_first')).toBe(first);
      expect(c.num('sc_last_iter')).toBe(last);

      const y = c.f64('y');
      expect(y.length).toBe(c.num('length'));
      const X = stftNaive(y, { nFft: 512, hop: 256, win: 512, center: true, padMode: 'constant' });
      const scY = spectralConvergence(X.re, X.im, S);
      expect(Math.abs(scY - c.num('sc_final_of_stored_float32_y'))).toBeLessThan(1e-9);
      expect(Math.abs(scY - c.num('sc_final'))).toBeLessThan(1e-6);
      expect(scY).toBeLessThanOrEqual(last * 1.05);

      // A float32 implementation of the same algorithm lands very close.
      const f32 = c.obj('float32_emulation');
      expect(Math.abs((f32.sc_final as number) - c.num('sc_final'))).toBeLessThan(1e-4);
    });
  }

  it('momentum 0.99 beats classic Griffin-Lim on the same clip', () => {
    const fast = gl.get('fastgl/0_george_0.wav');
    const classic = gl.get('classicgl/0_george_0.wav');
    expect(fast.num('momentum')).toBe(0.99);
    expect(classic.num('momentum')).toBe(0);
    expect(maxAbsDiff(fast.f64('S'), classic.f64('S'))).toBe(0);
    // Identical first two iterations (momentum only enters from the second update on).
    expect(fast.f64('sc_per_iter')[0]).toBe(classic.f64('sc_per_iter')[0]);
    expect(fast.f64('sc_per_iter')[1]).toBe(classic.f64('sc_per_iter')[1]);
    expect(fast.f64('sc_per_iter')[2]).not.toBe(classic.f64('sc_per_iter')[2]);
    expect(fast.num('sc_final')).toBeLessThan(classic.num('sc_final') * 0.7);
  });
});

describe('db.json', () => {
  for (const c of db.withPrefix('amplitude_to_db/')) {
    it(`${c.name}: 20 log10(max(amin, S)) - 20 log10(max(amin, ref)), clipped at max - top_db`, () => {
      const S = c.f64('S');
      const out = c.f64('db');
      const amin = c.num('amin');
      const refValue = c.num('ref_value');
      const topDb = c.numOrNull('top_db');
      if (c.param('ref') === 'max') expect(refValue).toBe(maxAbs(S));
      const raw = Array.from(S, (s) => 20 * Math.log10(Math.max(amin, s)) - 20 * Math.log10(Math.max(amin, refValue)));
      const top = Math.max(...raw);
      const floor = topDb === null ? -Infinity : top - topDb;
      let clipped = 0;
      for (let i = 0; i < S.length; i++) {
        const expected = Math.max(raw[i] as number, floor);
        expect(Math.abs((out[i] as number) - expected)).toBeLessThan(1e-9);
        if ((raw[i] as number) < floor) clipped++;
      }
      const outMax = Math.max(...out);
      const outMin = Math.min(...out);
      expect(Math.abs(outMax - top)).toBeLessThan(1e-9);
      if (topDb !== null) expect(outMin).toBeGreaterThanOrEqual(outMax - topDb - 1e-9);
      if (c.param('ref') === 'max') expect(Math.abs(outMax)).toBeLessThan(1e-9);
      if (c.name.startsWith('amplitude_to_db/orig_')) {
        // On real data top_db always bites: min == max - 80, and zeros map to the floor.
        expect(clipped).toBe(c.num('n_clipped'));
        expect(clipped).toBeGreaterThan(S.length / 2);
        expect(Math.abs(outMin - (outMax - 80))).toBeLessThan(1e-9);
        S.forEach((s, i) => {
          if (s === 0) expect(Math.abs((out[i] as number) - outMin)).toBeLessThan(1e-9);
        });
      }
      if (c.name === 'amplitude_to_db/narrow_range_top80') expect(clipped).toBe(0);
      if (topDb === null && refValue === 1) {
        // Values at or below amin sit exactly at 20 log10(amin) = -100 dB.
        S.forEach((s, i) => {
          if (s <= amin) expect(Math.abs((out[i] as number) + 100)).toBeLessThan(1e-9);
        });
      }
    });
  }

  for (const c of db.withPrefix('db_to_amplitude/')) {
    it(`${c.name}: ref * 10^(x / 20)`, () => {
      const x = c.f64('x');
      const amp = c.f64('amp');
      const ref = c.num('ref');
      for (let i = 0; i < x.length; i++) {
        const e = ref * 10 ** ((x[i] as number) / 20);
        expect(Math.abs((amp[i] as number) - e)).toBeLessThanOrEqual(1e-13 * e);
      }
    });
  }
});

describe('resample.json', () => {
  for (const c of resample.cases) {
    it(`${c.name}: taps, length, and y[m] = sum_n x[n] taps[m*down - n*up + half_len]`, () => {
      const up = c.num('up');
      const down = c.num('down');
      const halfLen = c.num('half_len');
      const taps = c.has('taps') ? c.f64('taps') : resample.get(c.str('taps_from')).f64('taps');
      const maxRate = Math.max(up, down);
      expect(halfLen).toBe(10 * maxRate);
      expect(taps.length).toBe(2 * halfLen + 1);
      // Taps are designed for this up factor (gain = up), and are symmetric (linear phase).
      const tapsScale = c.has('taps') ? 1 : up / resample.get(c.str('taps_from')).num('up');
      let sum = 0;
      for (let i = 0; i < taps.length; i++) {
        sum += (taps[i] as number) * tapsScale;
        expect(taps[i]).toBe(taps[taps.length - 1 - i]);
      }
      expect(Math.abs(sum - up)).toBeLessThan(1e-9 * up);

      const x = c.f64('x');
      const y = c.f64('y');
      const nOut = Math.ceil((x.length * up) / down);
      expect(y.length).toBe(c.hasParam('pad_to') ? c.num('pad_to') : nOut);
      let err = 0;
      for (let m = 0; m < nOut; m++) {
        let s = 0;
        // k = m*down - n*up + halfLen in [0, taps.length)  <=>  n in [nLo, nHi]
        const nLo = Math.max(0, Math.ceil((m * down + halfLen - (taps.length - 1)) / up));
        const nHi = Math.min(x.length - 1, Math.floor((m * down + halfLen) / up));
        for (let n = nLo; n <= nHi; n++) s += (x[n] as number) * (taps[m * down - n * up + halfLen] as number) * tapsScale;
        err = Math.max(err, Math.abs(s - (y[m] as number)));
      }
      expect(err).toBeLessThan(c.array('y').dtype === 'float32' ? 1e-6 : 1e-12);
      if (y.length > nOut) expect(maxAbs(y.subarray(nOut))).toBe(0);
    });
  }

  it('filter response: measured numbers are consistent with a direct evaluation', () => {
    for (const c of resample.cases) {
      if (!c.has('taps')) continue;
      const f = c.obj('filter');
      const up = c.num('up');
      const taps = c.f64('taps');
      const fs = f.filter_rate_hz as number;
      const halfLen = c.num('half_len');
      const gainDb = (hz: number): number => {
        // Zero-phase response: H = h[c] + 2 sum_j h[c + j] cos(2 pi f j / fs).
        let s = taps[halfLen] as number;
        for (let j = 1; j <= halfLen; j++) s += 2 * (taps[halfLen + j] as number) * Math.cos((2 * Math.PI * hz * j) / fs);
        return 20 * Math.log10(Math.abs(s / up));
      };
      expect(f.cutoff_hz).toBe(4000);
      expect(f.numtaps).toBe(taps.length);
      const ripple = f.passband_ripple_db as number;
      const atten = f.stopband_atten_db as number;
      expect(ripple).toBeLessThan(0.05);
      expect(atten).toBeGreaterThan(50);
      const pEdge = f.passband_edge_hz as number;
      const sEdge = f.stopband_edge_hz as number;
      for (let i = 0; i <= 40; i++) expect(Math.abs(gainDb((pEdge * i) / 40))).toBeLessThanOrEqual(ripple * 1.001 + 1e-9);
      for (let i = 0; i <= 40; i++) {
        const hz = sEdge + ((fs / 2 - sEdge) * i * i) / 1600;
        expect(gainDb(hz)).toBeLessThanOrEqual(-atten * 0.999);
      }
      expect(Math.abs(gainDb(4000) - (f.gain_at_cutoff_db as number))).toBeLessThan(0.01);
      expect(Math.abs(gainDb(f.freq_minus_3db_hz as number) + 3)).toBeLessThan(0.05);
    }
  });

  it('load: librosa truncates at the native rate, then resamples (differs only at the cut)', () => {
    const c = resample.get('load/9_theo_16.wav');
    expect(c.num('n_in')).toBe(5920);
    expect(c.num('n_out')).toBe(16317);
    const v = c.obj('vs_resample_then_cut');
    expect(v.first_differing_sample as number).toBeGreaterThan(16317 - 64);
    // The stored 16,317-sample signal is the input of stft.json's orig/9_theo_16.wav.
    const y = c.f64('y');
    const s = stft.get('orig/9_theo_16.wav').f64('y');
    expect(maxAbsDiff(y, s)).toBe(0);
  });
});
