// Analytic identities: the DFT definition, Parseval, perfect reconstruction,
// agreement of the SIMD and scalar builds, exact dB maths. No fixtures needed.
import { beforeAll, describe, expect, it } from 'vitest';
import { createDsp, type Dsp } from '../src/index.js';

let simd: Dsp;
let scalar: Dsp;
beforeAll(async () => {
  simd = await createDsp({ simd: true });
  scalar = await createDsp({ simd: false });
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s >>> 8) / 16777216;
  };
}
function noise(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('builds', () => {
  it('loads the SIMD build by default and the scalar one on request', async () => {
    expect(simd.simd).toBe(true);
    expect(scalar.simd).toBe(false);
    expect((await createDsp()).simd).toBe(true);
  });
});

describe('rfft', () => {
  for (const n of [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]) {
    it(`matches the DFT definition and Parseval at n = ${n}`, () => {
      const x = noise(n, n);
      const { re, im } = simd.rfft(x);
      expect(re.length).toBe(n / 2 + 1);
      // Direct DFT in float64 at a few bins (all bins for small n).
      const bins = n <= 256 ? Array.from({ length: n / 2 + 1 }, (_, k) => k) : [0, 1, 2, 7, n / 4, n / 2 - 1, n / 2];
      let scale = 0;
      for (const v of x) scale += Math.abs(v);
      for (const k of bins) {
        let sr = 0, si = 0;
        for (let t = 0; t < n; t++) {
          const a = (-2 * Math.PI * k * t) / n;
          sr += x[t]! * Math.cos(a);
          si += x[t]! * Math.sin(a);
        }
        expect(Math.abs(re[k]! - sr) / scale).toBeLessThan(1e-6);
        expect(Math.abs(im[k]! - si) / scale).toBeLessThan(1e-6);
      }
      // Parseval: sum x^2 = (|X0|^2 + |XN/2|^2 + 2 sum_{0<k<N/2} |Xk|^2) / N
      let e1 = 0, e2 = 0;
      for (const v of x) e1 += v * v;
      for (let k = 0; k <= n / 2; k++) e2 += (k === 0 || k === n / 2 ? 1 : 2) * (re[k]! ** 2 + im[k]! ** 2);
      expect(Math.abs(e2 / n - e1) / e1).toBeLessThan(1e-5);
      // Inverse.
      expect(maxAbsDiff(simd.irfft(re, im), x)).toBeLessThan(1e-5);
      // Scalar build agrees.
      const s = scalar.rfft(x);
      expect(maxAbsDiff(s.re, re)).toBe(0);
    });
  }
  it('rejects sizes that are not a power of two', () => {
    expect(() => simd.rfft(new Float32Array(100))).toThrow(/power of two/);
    expect(() => simd.rfft(new Float32Array(8))).toThrow(/power of two/);
  });
});

describe('stft / istft', () => {
  const geometries = [
    { nFft: 512, hop: 256 },
    { nFft: 256, hop: 64 },
    { nFft: 256, hop: 64, winLength: 200 },
    { nFft: 1024, hop: 256, padMode: 'reflect' as const },
    { nFft: 512, hop: 128, center: false },
  ];
  for (const g of geometries) {
    it(`reconstructs the signal exactly: ${JSON.stringify(g)}`, () => {
      for (const n of [16317, 8000, 4099]) {
        const x = noise(n, n + g.nFft);
        const S = simd.stft(x, g);
        const y = simd.istft(S, { ...g, length: n });
        // Without centring the first/last half windows are not covered: compare the interior.
        const lo = g.center === false ? g.nFft : 0;
        const hi = g.center === false ? Math.floor((n - g.nFft) / g.hop) * g.hop : n;
        expect(maxAbsDiff(y.subarray(lo, hi), x.subarray(lo, hi))).toBeLessThan(1e-5);
      }
    });
  }

  it('puts a pure tone in its bin, bin-major, with librosa frame count', () => {
    const sr = 8000, f = 1000, n = 8000;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / sr));
    const M = simd.stftMagnitude(x, { nFft: 256, hop: 64 });
    expect(M.nBins).toBe(129);
    expect(M.nFrames).toBe(1 + Math.floor(n / 64));
    const t = 50; // an interior frame
    let best = 0;
    for (let k = 0; k < M.nBins; k++) if (M.data[k * M.nFrames + t]! > M.data[best * M.nFrames + t]!) best = k;
    expect(best).toBe((f * 256) / sr);
    // Hann window: peak magnitude = A * sum(w) / 2 = 256 / 4.
    expect(M.data[best * M.nFrames + t]!).toBeCloseTo(64, 3);
  });

  it('SIMD and scalar builds agree to float rounding', () => {
    const x = noise(16317, 7);
    const a = simd.stft(x, { nFft: 512, hop: 256 });
    const b = scalar.stft(x, { nFft: 512, hop: 256 });
    let peak = 0;
    for (const v of b.re) peak = Math.max(peak, Math.abs(v));
    expect(maxAbsDiff(a.re, b.re) / peak).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.im, b.im) / peak).toBeLessThan(1e-6);
  });

  it('magnitude, power and dB views agree with the complex STFT', () => {
    const x = noise(5000, 3);
    const g = { nFft: 256, hop: 64 };
    const S = simd.stft(x, g);
    const M = simd.stftMagnitude(x, g).data;
    const P = simd.stftPower(x, g).data;
    const D = simd.stftDb(x, { ...g, topDb: null }).data;
    for (let i = 0; i < M.length; i++) {
      const m = Math.hypot(S.re[i]!, S.im[i]!);
      expect(Math.abs(M[i]! - m)).toBeLessThanOrEqual(1e-6 * Math.max(1, m));
      expect(Math.abs(P[i]! - m * m)).toBeLessThanOrEqual(1e-5 * Math.max(1, m * m));
      expect(Math.abs(D[i]! - 20 * Math.log10(Math.max(1e-5, m)))).toBeLessThan(2e-4);
    }
  });

  it('explains bad input', () => {
    expect(() => simd.stft(new Float32Array(100), { nFft: 500 })).toThrow(/nFft must be a power of two/);
    expect(() => simd.stft(new Float32Array(100), { nFft: 512, center: false })).toThrow(/shorter than nFft/);
    expect(() => simd.stft(new Float32Array(100), { nFft: 512, padMode: 'reflect' })).toThrow(/reflect padding/);
    expect(() => simd.stft(new Float32Array(100), { nFft: 512, winLength: 600 })).toThrow(/winLength/);
    expect(() => simd.stft([1, 2, 3] as unknown as Float32Array, { nFft: 512 })).toThrow(/Float32Array/);
  });

  it('releases its scratch memory', () => {
    const x = noise(16317, 1);
    simd.stftDb(x, { nFft: 512, hop: 256 });
    const before = simd.kernels.used();
    for (let i = 0; i < 20; i++) {
      simd.stftDb(x, { nFft: 512, hop: 256 });
      simd.istft(simd.stft(x, { nFft: 512, hop: 256 }), { nFft: 512, hop: 256 });
    }
    expect(simd.kernels.used()).toBe(before);
  });
});

describe('dB', () => {
  it('is 20 log10(max(amin, x) / ref) with the top_db clip', () => {
    const x = Float32Array.from([0, 1e-7, 1e-5, 1e-3, 0.5, 1, 2, 1000]);
    const none = simd.amplitudeToDb(x, { topDb: null });
    x.forEach((v, i) => expect(none[i]!).toBeCloseTo(20 * Math.log10(Math.max(1e-5, v)), 4));
    const clipped = simd.amplitudeToDb(x);
    // max is 60 dB, so everything is clipped at -20.
    x.forEach((v, i) => expect(clipped[i]!).toBeCloseTo(Math.max(20 * Math.log10(Math.max(1e-5, v)), 60 - 80), 4));
    const refMax = simd.amplitudeToDb(x, { ref: 'max', topDb: null });
    expect(refMax[7]!).toBeCloseTo(0, 5);
    expect(refMax[5]!).toBeCloseTo(-60, 4);
  });
  it('dbToAmplitude inverts amplitudeToDb over 160 dB', () => {
    const x = Float32Array.from({ length: 1001 }, (_, i) => 10 ** (-5 + (8 * i) / 1000));
    const back = simd.dbToAmplitude(simd.amplitudeToDb(x, { topDb: null }));
    x.forEach((v, i) => expect(Math.abs(back[i]! - v) / v).toBeLessThan(1e-5));
    const s = scalar.dbToAmplitude(scalar.amplitudeToDb(x, { topDb: null }));
    x.forEach((v, i) => expect(Math.abs(s[i]! - v) / v).toBeLessThan(1e-5));
  });
  it('normalizes to [0, 1]', () => {
    const { data, min, max } = simd.normalizeMinMax(Float32Array.from([-80, -40, 0, -20]));
    expect([min, max]).toEqual([-80, 0]);
    expect(Array.from(data)).toEqual([0, 0.5, 1, 0.75]);
    expect(Array.from(simd.normalizeMinMax(Float32Array.from([3, 3])).data)).toEqual([0, 0]);
  });
});

describe('resample', () => {
  const pairs: [number, number][] = [[8000, 22050], [22050, 8000], [48000, 8000], [44100, 8000], [8000, 16000]];
  for (const [from, to] of pairs) {
    it(`keeps a passband tone and the length contract: ${from} -> ${to}`, () => {
      const n = from; // one second
      const f = 440;
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / from));
      const y = simd.resample(x, from, to);
      expect(y.length).toBe(Math.ceil((n * to) / from));
      // Away from the edges, y is the same tone at the new rate.
      let err = 0;
      for (let i = Math.floor(to * 0.1); i < Math.floor(to * 0.9); i++) err = Math.max(err, Math.abs(y[i]! - Math.sin((2 * Math.PI * f * i) / to)));
      expect(err).toBeLessThan(3e-3);
      const s = scalar.resample(x, from, to);
      expect(maxAbsDiff(s, y)).toBeLessThan(1e-5);
    });
  }
  it('explains bad rates', () => {
    expect(() => simd.resample(new Float32Array(10), 0, 8000)).toThrow(/fromRate/);
    expect(() => simd.resample(new Float32Array(10), 8000, 22050.5)).toThrow(/toRate/);
  });
});

describe('griffinLim', () => {
  it('drives the spectral convergence down and is repeatable for a seed', () => {
    const sr = 8000;
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin(2 * Math.PI * (200 + 0.2 * i) * (i / sr)) * (i % 2000 < 1200 ? 1 : 0.2));
    const g = { nFft: 256, hop: 64 };
    const M = simd.stftMagnitude(x, g);
    const a = simd.griffinLim(M, { ...g, length: x.length, convergence: true, seed: 5 });
    const b = simd.griffinLim(M, { ...g, length: x.length, convergence: true, seed: 5 });
    expect(maxAbsDiff(a.signal, b.signal)).toBe(0);
    const c = a.convergence!;
    expect(c.length).toBe(32);
    expect(c[31]!).toBeLessThan(c[0]! * 0.5);
    // The returned signal's own magnitude error is about the last iteration's.
    const R = simd.stftMagnitude(a.signal, g).data;
    let num = 0, den = 0;
    for (let i = 0; i < R.length; i++) { num += (R[i]! - M.data[i]!) ** 2; den += M.data[i]! ** 2; }
    expect(Math.sqrt(num / den)).toBeLessThan(c[31]! * 1.2);
    // Momentum helps: classic Griffin-Lim converges more slowly.
    const classic = simd.griffinLim(M, { ...g, length: x.length, convergence: true, seed: 5, momentum: 0 });
    expect(classic.convergence![31]!).toBeGreaterThan(c[31]!);
    // Scalar build: same algorithm, same seed.
    const s = scalar.griffinLim(M, { ...g, length: x.length, convergence: true, seed: 5 });
    expect(Math.abs(s.convergence![31]! - c[31]!)).toBeLessThan(1e-3);
  });
  it('explains a length that does not fit the frames', () => {
    const M = { data: new Float32Array(129 * 10), nBins: 129, nFrames: 10 };
    expect(() => simd.griffinLim(M, { nFft: 256, hop: 64, length: 5000 })).toThrow(/length 5000 gives/);
    expect(() => simd.griffinLim(M, { nFft: 512, hop: 64 })).toThrow(/bins/);
  });
});
