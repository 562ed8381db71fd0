/** Spectrogram- and audio-space measures, numbers rather than ears. */

/** Mean squared error between two equally long arrays. */
export function meanSquaredError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} != ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

/** Spectral convergence || |X| - |Y| ||_F / || |Y| ||_F of two magnitude spectrograms. */
export function spectralConvergence(mag: Float32Array, target: Float32Array): number {
  if (mag.length !== target.length) throw new RangeError(`length ${mag.length} != ${target.length}`);
  let num = 0, den = 0;
  for (let i = 0; i < mag.length; i++) {
    num += (mag[i]! - target[i]!) ** 2;
    den += target[i]! ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

/**
 * Log-spectral distance in dB between two power spectrograms (bin-major
 * [nBins, nFrames]): the mean over frames of
 * sqrt(mean over bins (10 log10((P + eps) / (Q + eps)))^2).
 */
export function logSpectralDistance(p: Float32Array, q: Float32Array, nBins: number, nFrames: number, eps = 1e-10): number {
  if (p.length !== nBins * nFrames || q.length !== p.length) throw new RangeError('log-spectral distance: shapes differ');
  let total = 0;
  for (let t = 0; t < nFrames; t++) {
    let s = 0;
    for (let k = 0; k < nBins; k++) {
      const d = 10 * Math.log10((p[k * nFrames + t]! + eps) / (q[k * nFrames + t]! + eps));
      s += d * d;
    }
    total += Math.sqrt(s / nBins);
  }
  return total / nFrames;
}
