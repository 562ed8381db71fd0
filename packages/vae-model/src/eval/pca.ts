/**
 * Two-component PCA of latent vectors (a symmetric eigen-decomposition of the
 * d x d covariance by cyclic Jacobi rotations; d is small, 16 for the default
 * model), and the way between a latent and its point on the plane. Pure and
 * browser-safe: the CLI's latent plots and the web demo's explorer use it.
 */

export interface Pca2 {
  /** Mean latent, d values. */
  mean: Float64Array;
  /** The two principal directions (unit length, largest component positive). */
  basis: [Float64Array, Float64Array];
  /** Share of the total variance along each direction. */
  explained: [number, number];
}

/** Eigenvalues and (column) eigenvectors of a symmetric d x d matrix (row-major), by cyclic Jacobi. */
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
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
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
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = m[i * d + i]!;
  return { values, vectors: v };
}

/** PCA of n row-major d-dimensional points, keeping two components. */
export function pca2(x: ArrayLike<number>, n: number, d: number): Pca2 {
  if (n < 1 || x.length !== n * d) throw new RangeError(`pca2: expected ${n} x ${d} values, got ${x.length}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const a = x[i * d + j]! - mean[j]!;
      for (let k = j; k < d; k++) cov[j * d + k]! += (a * (x[i * d + k]! - mean[k]!)) / Math.max(1, n - 1);
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) cov[j * d + k] = cov[k * d + j]!;
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0) || 1;
  const column = (c: number): Float64Array => {
    const out = new Float64Array(d);
    let big = 0;
    for (let k = 0; k < d; k++) {
      out[k] = vectors[k * d + c]!;
      if (Math.abs(out[k]!) > Math.abs(out[big]!)) big = k;
    }
    if (out[big]! < 0) for (let k = 0; k < d; k++) out[k] = -out[k]!;
    return out;
  };
  const c0 = order[0]!, c1 = order[Math.min(1, d - 1)]!;
  return {
    mean,
    basis: [column(c0), d > 1 ? column(c1) : new Float64Array(d)],
    explained: [Math.max(0, values[c0]!) / total, d > 1 ? Math.max(0, values[c1]!) / total : 0],
  };
}

/** Coordinates of latent z (d values) on the two components. */
export function project(p: { mean: ArrayLike<number>; basis: readonly [ArrayLike<number>, ArrayLike<number>] }, z: ArrayLike<number>): [number, number] {
  let x = 0, y = 0;
  for (let k = 0; k < p.mean.length; k++) {
    const c = z[k]! - p.mean[k]!;
    x += c * p.basis[0][k]!;
    y += c * p.basis[1][k]!;
  }
  return [x, y];
}

/** The latent at plane point (x, y): mean + x * pc1 + y * pc2 (no variance off the plane). */
export function unproject(p: { mean: ArrayLike<number>; basis: readonly [ArrayLike<number>, ArrayLike<number>] }, x: number, y: number): Float32Array {
  const z = new Float32Array(p.mean.length);
  for (let k = 0; k < z.length; k++) z[k] = p.mean[k]! + x * p.basis[0][k]! + y * p.basis[1][k]!;
  return z;
}

/** [n, 2] row-major coordinates of n latents (row-major, d values each) on the two components. */
export function projectAll(p: Pca2, x: ArrayLike<number>, n: number): Float64Array {
  const d = p.mean.length;
  if (x.length !== n * d) throw new RangeError(`projectAll: expected ${n} x ${d} values, got ${x.length}`);
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    let a = 0, b = 0;
    for (let k = 0; k < d; k++) {
      const c = x[i * d + k]! - p.mean[k]!;
      a += c * p.basis[0][k]!;
      b += c * p.basis[1][k]!;
    }
    out[2 * i] = a;
    out[2 * i + 1] = b;
  }
  return out;
}
