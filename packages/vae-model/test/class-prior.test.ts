// The digits' latent Gaussians (ClassPrior) against moments computed independently.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClassPrior } from '../src/models/class-prior.js';
import { fitGaussianMixture } from '../src/models/gaussian-mixture.js';
import { SpectrogramVae } from '../src/models/vae.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Mean and covariance (population) of rows [n, d]. */
function moments(z: Float32Array, d: number): { mean: number[]; cov: number[][] } {
  const n = z.length / d;
  const mean = Array.from({ length: d }, (_, j) => { let s = 0; for (let i = 0; i < n; i++) s += z[i * d + j]!; return s / n; });
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (z[i * d + a]! - mean[a]!) * (z[i * d + b]! - mean[b]!);
    return s / n;
  }));
  return { mean, cov };
}

// Two classes in 3-D: posterior means with a known covariance, posterior variances exp(logvar).
const d = 3;
const mu = new Float32Array([
  1, 2, 0, 3, 2, 1, 1, 4, 2, 3, 4, 1, // class 0: four points
  -1, 0, 5, -3, 0, 5, -2, 1, 6, // class 1: three points
]);
const logvar = new Float32Array(7 * d).map((_, i) => Math.log(0.1 + 0.05 * (i % d)));
const labels = [0, 0, 0, 0, 1, 1, 1];

describe('ClassPrior', () => {

  it('is the moment-matched Gaussian of each class: mean, covariance of the means plus the mean posterior variance', () => {
    const p = ClassPrior.fit(mu, logvar, labels, 2, { ridge: 0 });
    for (const [k, rows] of [[0, [0, 1, 2, 3]], [1, [4, 5, 6]]] as const) {
      const sub = Float32Array.from(rows.flatMap((i) => Array.from(mu.subarray(i * d, (i + 1) * d))));
      const m = moments(sub, d);
      expect(Array.from(p.mean(k))).toEqual(m.mean.map((v) => expect.closeTo(v, 5)));
      // L L^T reproduces the covariance.
      const L = p.cholesky.subarray(k * d * d, (k + 1) * d * d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += L[a * d + j]! * L[b * d + j]!;
        const expected = m.cov[a]![b]! + (a === b ? 0.1 + 0.05 * a : 0);
        expect(s).toBeCloseTo(expected, 4);
      }
      for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) expect(L[a * d + b]).toBe(0);
    }
    expect(p.counts).toEqual([4, 3]);
  });

  it('samples with the fitted mean and covariance, scaled by the temperature, repeatably', () => {
    const p = ClassPrior.fit(mu, logvar, labels, 2);
    const n = 20000;
    const z = p.sample(new Array(n).fill(1), 7);
    expect(p.sample(new Array(n).fill(1), 7)).toEqual(z);
    const m = moments(z, d);
    const L = p.cholesky.subarray(d * d);
    for (let a = 0; a < d; a++) {
      expect(m.mean[a]).toBeCloseTo(p.means[d + a]!, 1);
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += L[a * d + j]! * L[b * d + j]!;
        expect(Math.abs(m.cov[a]![b]! - s)).toBeLessThan(0.05 * (1 + Math.abs(s)));
      }
    }
    const cold = moments(p.sample(new Array(n).fill(1), 7, 0.5), d);
    expect(cold.cov[0]![0]).toBeCloseTo(m.cov[0]![0]! / 4, 2);
    const single = ClassPrior.fit(mu, logvar, labels, 2, { components: 1 });
    expect(single.mixtures).toBeNull();
    expect(Array.from(single.sample([0, 1], 3, 0))).toEqual([...Array.from(single.mean(0)), ...Array.from(single.mean(1))]);
  });

  it('round-trips through JSON and explains bad input', () => {
    const p = ClassPrior.fit(mu, logvar, labels, 2);
    const back = ClassPrior.fromJSON(JSON.parse(JSON.stringify(p.toJSON())) as never, d);
    expect(back.sample([0, 1, 1], 9)).toEqual(p.sample([0, 1, 1], 9));
    expect(() => ClassPrior.fit(mu, logvar, [0, 0, 0, 0, 1, 1, 2], 2)).toThrow(/label 2 is not a class/);
    expect(() => ClassPrior.fit(mu, logvar.subarray(3), labels, 2)).toThrow(/disagree/);
    expect(() => p.sample([5], 1)).toThrow(/class 5 is not in \[0, 2\)/);
    expect(() => ClassPrior.fromJSON({ means: [[0, 0, Number.NaN]], cholesky: [[1, 0, 0, 0, 1, 0, 0, 0, 1]], counts: [1] }, d)).toThrow(/finite numbers/);
  });

  it('a model without a fitted prior says so', () => {
    const vae = new SpectrogramVae({
      kind: 'standard', inputShape: [16, 8, 1], filters: [4], strides: [[2, 2]], kernelSize: 3, latentDim: 2, batchNorm: false, reconWeight: 10, klWeight: 1, seed: 1,
    });
    expect(() => vae.sampleLatents(2, 1, { digits: [0, 1] })).toThrow(/no fitted class prior/);
    const x = new Float32Array(4 * 128).map((_, i) => (i % 7) / 7);
    vae.fitClassPrior(x, [0, 1, 0, 1]);
    expect(vae.sampleLatents(2, 1, { digits: [0, 1] })).toHaveLength(4);
    expect(() => vae.sampleLatents(2, 1, { digits: [0] })).toThrow(/one digit per latent/);
    vae.dispose();
  });

  it('fits a mixture per class and samples from it; it repeats, round-trips, and reads files without mixtures', () => {
    // Class 0: two clusters (30 % around (0, 0), 70 % around (4, 1)); class 1: one clip.
    const rand = gaussianSource(5);
    const n0 = 400;
    const pts: number[] = [];
    for (let i = 0; i < n0; i++) pts.push(...(i < 120 ? [0.5 * rand(), 0.5 * rand()] : [4 + rand(), 1 + 0.7 * rand()]));
    const mu2 = Float32Array.from([...pts, 9, 9]);
    const lv2 = new Float32Array(mu2.length).fill(Math.log(0.01));
    const lab2 = [...new Array<number>(n0).fill(0), 1];
    const p = ClassPrior.fit(mu2, lv2, lab2, 2, { components: 2 });
    expect(p.componentCounts()).toEqual([2, 1]);
    const z = p.sample(new Array(10000).fill(0), 3);
    let near = 0;
    for (let i = 0; i < 10000; i++) if (z[2 * i]! < 2) near++;
    expect(near / 10000).toBeCloseTo(0.3, 1);
    // The one-clip class keeps its single Gaussian.
    expect(Array.from(p.mixtures![1]!.means)).toEqual(Array.from(p.mean(1)));
    expect(ClassPrior.fit(mu2, lv2, lab2, 2, { components: 2 }).toJSON()).toEqual(p.toJSON());
    const back = ClassPrior.fromJSON(JSON.parse(JSON.stringify(p.toJSON())) as never, 2);
    expect(back.sample([0, 0, 1], 9)).toEqual(p.sample([0, 0, 1], 9));
    // A file without mixtures (older, or components 1) samples the single Gaussians.
    const { mixtures: _, ...old } = p.toJSON();
    expect(ClassPrior.fromJSON(old, 2).mixtures).toBeNull();
    const bad = { ...p.toJSON(), mixtures: [{ weights: [0.5, 0.2], means: [[0, 0], [1, 1]], cholesky: [[1, 0, 0, 1], [1, 0, 0, 1]] }, p.toJSON().mixtures![1]!] };
    expect(() => ClassPrior.fromJSON(bad, 2)).toThrow(/mixtures must hold, per class, weights summing to 1/);
    expect(() => ClassPrior.fit(mu2, lv2, lab2, 2, { components: 0 })).toThrow(/components must be a positive integer, got 0/);
  });
});

describe('fitGaussianMixture', () => {
  it('recovers the weights, means and covariances of a known two-component mixture', () => {
    const rand = gaussianSource(11);
    const n = 3000;
    const x = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      if (i % 10 < 3) { x[2 * i] = 0.5 * rand(); x[2 * i + 1] = 0.5 * rand(); } // N(0, 0.25 I), weight 0.3
      else { x[2 * i] = 4 + rand(); x[2 * i + 1] = 1 + 0.7 * rand(); } // N((4, 1), diag(1, 0.49)), weight 0.7
    }
    const fit = fitGaussianMixture(x, new Float64Array(n * 2), n, 2, 2, { ridge: 0 });
    const small = fit.means[0]! < 2 ? 0 : 1;
    const big = 1 - small;
    expect(fit.weights[small]).toBeCloseTo(0.3, 2);
    expect(fit.means[2 * small]).toBeCloseTo(0, 1);
    expect(fit.means[2 * big]).toBeCloseTo(4, 1);
    expect(fit.means[2 * big + 1]).toBeCloseTo(1, 1);
    const cov = (c: number, a: number, b: number) => {
      const L = fit.cholesky.subarray(4 * c, 4 * c + 4);
      return L[2 * a]! * L[2 * b]! + L[2 * a + 1]! * L[2 * b + 1]!;
    };
    expect(cov(small, 0, 0)).toBeCloseTo(0.25, 1);
    expect(cov(big, 0, 0)).toBeCloseTo(1, 1);
    expect(cov(big, 1, 1)).toBeCloseTo(0.49, 1);
    expect(Math.abs(cov(big, 0, 1))).toBeLessThan(0.05);
    // Two components explain the data better than one.
    expect(fit.logLikelihood).toBeGreaterThan(fitGaussianMixture(x, new Float64Array(n * 2), n, 2, 1, { ridge: 0 }).logLikelihood + 0.3);
  });

  it('with one component it is the moment-matched Gaussian: scatter of the items plus their mean variance', () => {
    const v = Float64Array.from(logvar.subarray(0, 12), Math.exp);
    const fit = fitGaussianMixture(mu.subarray(0, 12), v, 4, 3, 1, { ridge: 0 });
    const single = ClassPrior.fit(mu, logvar, labels, 2, { components: 1, ridge: 0 });
    expect(Array.from(fit.means)).toEqual(Array.from(single.mean(0)).map((m) => expect.closeTo(m, 5)));
    expect(Array.from(fit.cholesky)).toEqual(Array.from(single.cholesky.subarray(0, 9)).map((c) => expect.closeTo(c, 5)));
    expect(Array.from(fit.weights)).toEqual([1]);
    expect(() => fitGaussianMixture(mu, v, 4, 3, 1)).toThrow(/expected 4 items of 3 values/);
  });
});

/** Standard normal draws (Box-Muller on a seeded generator), independent of the code under test. */
function gaussianSource(seed: number): () => number {
  let s = seed;
  const uniform = () => {
    s = (s * 16807) % 2147483647;
    return (s + 0.5) / 2147483647;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
