// Two-component PCA of latents: an analytic eigen-decomposition and a
// synthetic cloud with known principal directions.
import { describe, expect, it } from 'vitest';
import { pca2, project, projectAll, symmetricEigen, unproject } from '../src/eval/pca.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('pca2', () => {
  it('finds the eigen-decomposition of a symmetric matrix', () => {
    const a = Float64Array.from([4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2]);
    const { values, vectors } = symmetricEigen(a, 3);
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        let av = 0;
        for (let k = 0; k < 3; k++) av += a[r * 3 + k]! * vectors[k * 3 + c]!;
        expect(av).toBeCloseTo(values[c]! * vectors[r * 3 + c]!, 10);
      }
    }
    expect([...values].reduce((s, v) => s + v, 0)).toBeCloseTo(9, 10);
  });

  it('recovers the two directions of largest variance, and project/unproject invert on the plane', () => {
    const rand = lcg(3);
    const d = 6, n = 400;
    const u = [1, 1, 0, 0, 0, 0].map((v) => v / Math.SQRT2), v = [0, 0, 1, -1, 0, 0].map((x) => x / Math.SQRT2);
    const mean = [1, 2, 3, 4, 5, 6];
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = (rand() - 0.5) * 10, b = (rand() - 0.5) * 4;
      for (let k = 0; k < d; k++) x[i * d + k] = mean[k]! + a * u[k]! + b * v[k]! + (rand() - 0.5) * 0.01;
    }
    const p = pca2(x, n, d);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, e, k) => s + e * b[k]!, 0);
    expect(Math.abs(dot(p.basis[0], u))).toBeCloseTo(1, 2);
    expect(Math.abs(dot(p.basis[1], v))).toBeCloseTo(1, 2);
    expect(p.explained[0]).toBeGreaterThan(0.8);
    expect(p.explained[0] + p.explained[1]).toBeGreaterThan(0.999);
    for (let k = 0; k < d; k++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * d + k]! / n;
      expect(p.mean[k]).toBeCloseTo(m, 10);
    }
    const z = unproject(p, 1.5, -0.5);
    const [px, py] = project(p, z);
    expect(px).toBeCloseTo(1.5, 5);
    expect(py).toBeCloseTo(-0.5, 5);
  });

  it('rejects a wrong number of values', () => {
    expect(() => pca2([1, 2, 3], 2, 2)).toThrow(RangeError);
  });
});

describe('projectAll', () => {
  it('equals project() point by point', () => {
    const x = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 3)));
    const p = pca2(x, 5, 3);
    const all = projectAll(p, x, 5);
    for (let i = 0; i < 5; i++) {
      const [a, b] = project(p, x.subarray(i * 3, i * 3 + 3));
      expect(all[2 * i]).toBeCloseTo(a, 12);
      expect(all[2 * i + 1]).toBeCloseTo(b, 12);
    }
    expect(() => projectAll(p, x, 4)).toThrow(RangeError);
  });
});
