// 2-D views of latent means: PCA (vae-model's, exact: the covariance's
// eigenvectors by cyclic Jacobi rotations) and t-SNE (the implementation of
// @saehrimnir/druidjs, exact gradients, seeded).
import * as druid from '@saehrimnir/druidjs';
import { pca2 as latentPca, projectAll } from '@specvae/vae-model';

export interface Pca {
  /** [n, 2] row-major projections on the first two principal components. */
  coords: Float64Array;
  /** Fraction of the total variance along each of the two components. */
  explained: [number, number];
}

/** PCA of n points in d dimensions (row-major), to 2-D: @specvae/vae-model's pca2 (signs: the largest |loading| of each component is positive). */
export function pca2(x: Float32Array, n: number, d: number): Pca {
  const p = latentPca(x, n, d);
  return { coords: projectAll(p, x, n), explained: p.explained };
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
