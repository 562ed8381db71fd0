// 2-D views of latent means: PCA (exact, from the covariance's eigenvectors
// by cyclic Jacobi rotations) and t-SNE (the implementation of
// @saehrimnir/druidjs, exact gradients, seeded).
import * as druid from '@saehrimnir/druidjs';

export interface Pca {
  /** [n, 2] row-major projections on the first two principal components. */
  coords: Float64Array;
  /** Fraction of the total variance along each of the two components. */
  explained: [number, number];
}

/** Eigen-decomposition of a symmetric d x d matrix (row-major), eigenvalues descending. */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * d + q]! - m[p * d + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p]!, mkq = m[k * d + q]!;
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k]!, mqk = m[q * d + k]!;
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!, vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => m[j * d + j]! - m[i * d + i]!);
  const values = Float64Array.from(order, (i) => m[i * d + i]!);
  const vectors = new Float64Array(d * d);
  order.forEach((src, col) => { for (let k = 0; k < d; k++) vectors[k * d + col] = v[k * d + src]!; });
  return { values, vectors };
}

/** PCA of n points in d dimensions (row-major), to 2-D. Signs: the largest |loading| of each component is positive. */
export function pca2(x: Float32Array, n: number, d: number): Pca {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) {
      const a = x[i * d + p]! - mean[p]!;
      for (let q = p; q < d; q++) cov[p * d + q] = cov[p * d + q]! + a * (x[i * d + q]! - mean[q]!);
    }
  }
  for (let p = 0; p < d; p++) for (let q = p; q < d; q++) cov[q * d + p] = cov[p * d + q] = cov[p * d + q]! / Math.max(1, n - 1);
  const { values, vectors } = symmetricEigen(cov, d);
  const comps = Math.min(2, d);
  for (let c = 0; c < comps; c++) {
    let big = 0;
    for (let k = 0; k < d; k++) if (Math.abs(vectors[k * d + c]!) > Math.abs(big)) big = vectors[k * d + c]!;
    if (big < 0) for (let k = 0; k < d; k++) vectors[k * d + c] = -vectors[k * d + c]!;
  }
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < comps; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k]! - mean[k]!) * vectors[k * d + c]!;
      coords[i * 2 + c] = s;
    }
  }
  const total = values.reduce((a, b) => a + Math.max(0, b), 0);
  const frac = (i: number): number => (total > 0 && i < d ? Math.max(0, values[i]!) / total : 0);
  return { coords, explained: [frac(0), frac(1)] };
}

export interface TsneOptions {
  perplexity: number;
  iterations: number;
  seed: number;
  /** Called every few iterations; return a promise to yield to the event loop (Ctrl-C). */
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/** t-SNE of n points in d dimensions to 2-D ([n, 2] row-major). The perplexity is capped at (n - 1) / 3. */
export async function tsne2(x: Float32Array, n: number, d: number, o: TsneOptions): Promise<{ coords: Float64Array; perplexity: number }> {
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
  const perplexity = Math.max(1, Math.min(o.perplexity, Math.floor((n - 1) / 3)));
  const t = new druid.TSNE(rows, { perplexity, epsilon: 10, d: 2, seed: o.seed });
  let y: number[][] = rows;
  let i = 0;
  for (const step of t.generator(o.iterations)) {
    y = step;
    i++;
    if (i % 25 === 0 || i === o.iterations) await o.onProgress?.(i, o.iterations);
  }
  const coords = new Float64Array(n * 2);
  for (let k = 0; k < n; k++) {
    coords[2 * k] = Number(y[k]![0]);
    coords[2 * k + 1] = Number(y[k]![1]);
  }
  return { coords, perplexity };
}
