// A full-covariance Gaussian mixture fitted by EM to a set of Gaussians
// N(x_i, diag v_i) (the posteriors of a VAE's training clips): the mixture
// that maximises the expected log-likelihood of samples of their average,
// the aggregate posterior. With v_i = 0 it is the usual EM on points.
import { mulberry32 } from '../seeded-random.js';

/** One fitted mixture: K components in d dimensions. */
export interface GaussianMixtureFit {
  /** [K] mixing weights, summing to 1. */
  weights: Float64Array;
  /** [K * d] component means. */
  means: Float64Array;
  /** [K * d * d] lower Cholesky factors of the component covariances, row-major. */
  cholesky: Float64Array;
  /** Mean expected log-likelihood per item at the end. */
  logLikelihood: number;
  iterations: number;
}

export interface GaussianMixtureOptions {
  /** Added to every variance (numerical floor; default 1e-4). */
  ridge?: number;
  /** Seeds the k-means++ initialisation (default 1): the same data and seed give the same fit. */
  seed?: number;
  /** Default 200. */
  maxIterations?: number;
  /** Stop when the mean log-likelihood gains less than this (default 1e-6). */
  tolerance?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Fits `components` Gaussians to the items x_i (rows of `x`, [n, d]) with
 * per-item diagonal variances v_i (`variances`, [n, d]) by EM, from a seeded
 * k-means++ start. The M-step is exact for the aggregate posterior: a
 * component's covariance is the responsibility-weighted scatter of the x_i
 * plus the weighted mean of the v_i; the E-step weighs item i by
 * E[log N(z; m, S)] under z ~ N(x_i, diag v_i) = log N(x_i; m, S) -
 * tr(S^-1 diag v_i) / 2. `components` is capped at n.
 */
export function fitGaussianMixture(
  x: ArrayLike<number>, variances: ArrayLike<number>, n: number, d: number, components: number, opts: GaussianMixtureOptions = {},
): GaussianMixtureFit {
  if (!Number.isInteger(n) || n < 1 || x.length !== n * d || variances.length !== n * d) {
    throw new RangeError(`Gaussian mixture: expected ${n} items of ${d} values and their variances`);
  }
  if (!Number.isInteger(components) || components < 1) throw new RangeError(`Gaussian mixture: components must be a positive integer, got ${components}`);
  const K = Math.min(components, n);
  const ridge = opts.ridge ?? 1e-4;
  const maxIterations = opts.maxIterations ?? 200;
  const tolerance = opts.tolerance ?? 1e-6;
  const resp = kMeansPlusPlusStart(x, n, d, K, opts.seed ?? 1);
  const weights = new Float64Array(K);
  const means = new Float64Array(K * d);
  const chol = new Float64Array(K * d * d);
  let ll = -Infinity;
  let it = 0;
  for (; it < maxIterations; it++) {
    maximise(x, variances, n, d, K, resp, ridge, weights, means, chol);
    const next = expectation(x, variances, n, d, K, weights, means, chol, resp);
    const gain = next - ll;
    ll = next;
    if (gain < tolerance) break;
  }
  return { weights, means, cholesky: chol, logLikelihood: ll, iterations: it + 1 };
}

/** Hard responsibilities [n * K] from k-means++ seeding followed by a few Lloyd iterations. */
function kMeansPlusPlusStart(x: ArrayLike<number>, n: number, d: number, K: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const centres = new Float64Array(K * d);
  const dist = new Float64Array(n).fill(Infinity);
  const sq = (i: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) { const t = x[i * d + j]! - centres[c * d + j]!; s += t * t; }
    return s;
  };
  let pick = Math.floor(rand() * n);
  for (let c = 0; c < K; c++) {
    for (let j = 0; j < d; j++) centres[c * d + j] = x[pick * d + j]!;
    let total = 0;
    for (let i = 0; i < n; i++) { dist[i] = Math.min(dist[i]!, sq(i, c)); total += dist[i]!; }
    if (c + 1 === K) break;
    // Next centre with probability proportional to the squared distance to the nearest one.
    let r = rand() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) { r -= dist[i]!; if (r < 0) { pick = i; break; } }
  }
  const assign = new Int32Array(n);
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < n; i++) {
      let best = 0, bestD = Infinity;
      for (let c = 0; c < K; c++) { const t = sq(i, c); if (t < bestD) { bestD = t; best = c; } }
      assign[i] = best;
    }
    const counts = new Float64Array(K);
    const sums = new Float64Array(K * d);
    for (let i = 0; i < n; i++) {
      counts[assign[i]!]!++;
      for (let j = 0; j < d; j++) sums[assign[i]! * d + j]! += x[i * d + j]!;
    }
    for (let c = 0; c < K; c++) if (counts[c]! > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
  }
  const resp = new Float64Array(n * K);
  for (let i = 0; i < n; i++) resp[i * K + assign[i]!] = 1;
  return resp;
}

/** M-step: weights, means and Cholesky factors of the covariances from the responsibilities. */
function maximise(x: ArrayLike<number>, v: ArrayLike<number>, n: number, d: number, K: number, resp: Float64Array, ridge: number,
  weights: Float64Array, means: Float64Array, chol: Float64Array): void {
  for (let c = 0; c < K; c++) {
    let nc = 0;
    const m = new Float64Array(d);
    const vbar = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = resp[i * K + c]!;
      nc += r;
      for (let j = 0; j < d; j++) { m[j]! += r * x[i * d + j]!; vbar[j]! += r * v[i * d + j]!; }
    }
    weights[c] = nc / n;
    const cov = new Float64Array(d * d);
    if (nc > 1e-10) {
      for (let j = 0; j < d; j++) { m[j]! /= nc; vbar[j]! /= nc; }
      for (let i = 0; i < n; i++) {
        const r = resp[i * K + c]!;
        if (r === 0) continue;
        for (let a = 0; a < d; a++) {
          const da = r * (x[i * d + a]! - m[a]!);
          for (let b = 0; b <= a; b++) cov[a * d + b]! += da * (x[i * d + b]! - m[b]!);
        }
      }
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) cov[a * d + b]! /= nc;
    } else {
      // An emptied component: never sampled (weight 0), kept finite.
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j]! += x[i * d + j]! / n;
      vbar.fill(1);
    }
    for (let a = 0; a < d; a++) cov[a * d + a]! += vbar[a]! + ridge;
    means.set(m, c * d);
    chol.set(choleskyLower(cov, d), c * d * d);
  }
}

/** E-step: responsibilities in place; returns the mean expected log-likelihood per item. */
function expectation(x: ArrayLike<number>, v: ArrayLike<number>, n: number, d: number, K: number,
  weights: Float64Array, means: Float64Array, chol: Float64Array, resp: Float64Array): number {
  const logNorm = new Float64Array(K);
  const invDiag = new Float64Array(K * d); // diag(S_c^-1)
  const linv = new Float64Array(K * d * d);
  for (let c = 0; c < K; c++) {
    const L = chol.subarray(c * d * d, (c + 1) * d * d);
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += 2 * Math.log(L[j * d + j]!);
    logNorm[c] = (weights[c]! > 0 ? Math.log(weights[c]!) : -Infinity) - 0.5 * (d * LOG_2PI + logDet);
    const Li = lowerInverse(L, d);
    linv.set(Li, c * d * d);
    for (let j = 0; j < d; j++) { let s = 0; for (let i = j; i < d; i++) s += Li[i * d + j]! ** 2; invDiag[c * d + j] = s; }
  }
  let total = 0;
  const lp = new Float64Array(K);
  const y = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let c = 0; c < K; c++) {
      if (logNorm[c] === -Infinity) { lp[c] = -Infinity; continue; }
      const Li = linv.subarray(c * d * d, (c + 1) * d * d);
      let maha = 0, trace = 0;
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b <= a; b++) s += Li[a * d + b]! * (x[i * d + b]! - means[c * d + b]!);
        y[a] = s;
        maha += s * s;
        trace += v[i * d + a]! * invDiag[c * d + a]!;
      }
      lp[c] = logNorm[c]! - 0.5 * (maha + trace);
      if (lp[c]! > top) top = lp[c]!;
    }
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.exp(lp[c]! - top);
    const lse = top + Math.log(sum);
    total += lse;
    for (let c = 0; c < K; c++) resp[i * K + c] = Math.exp(lp[c]! - lse);
  }
  return total / n;
}

/** Lower Cholesky factor of a symmetric positive-definite matrix given by its lower triangle (row-major d x d). */
export function choleskyLower(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) l[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix (row-major d x d). */
function lowerInverse(L: ArrayLike<number>, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / L[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i * d + k]! * inv[k * d + j]!;
      inv[i * d + j] = -s / L[i * d + i]!;
    }
  }
  return inv;
}
