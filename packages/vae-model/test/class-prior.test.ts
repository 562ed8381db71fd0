// The digits' latent Gaussians (ClassPrior) against moments computed independently.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClassPrior } from '../src/models/class-prior.js';
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

describe('ClassPrior', () => {
  // Two classes in 3-D: posterior means with a known covariance, posterior variances exp(logvar).
  const d = 3;
  const mu = new Float32Array([
    1, 2, 0, 3, 2, 1, 1, 4, 2, 3, 4, 1, // class 0: four points
    -1, 0, 5, -3, 0, 5, -2, 1, 6, // class 1: three points
  ]);
  const logvar = new Float32Array(7 * d).map((_, i) => Math.log(0.1 + 0.05 * (i % d)));
  const labels = [0, 0, 0, 0, 1, 1, 1];

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
    expect(Array.from(p.sample([0, 1], 3, 0))).toEqual([...Array.from(p.mean(0)), ...Array.from(p.mean(1))]);
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
});
