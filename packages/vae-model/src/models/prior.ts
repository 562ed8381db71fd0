import * as tf from '@tensorflow/tfjs-core';
import { posteriorMoments } from './class-prior.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Learned Gaussian-mixture prior p(z) = (1/K) sum_k N(z; m_k, diag(s_k^2)),
 * equal fixed weights as in the original, learned means and log-scales.
 */
export class MixturePrior {
  readonly means: tf.Variable;
  readonly logScales: tf.Variable;

  constructor(readonly components: number, readonly latentDim: number, init?: { means: number[][]; logScales: number[][] }, seed = 1) {
    if (init) {
      this.means = tf.variable(tf.tensor2d(init.means), true);
      this.logScales = tf.variable(tf.tensor2d(init.logScales), true);
    } else {
      // Spread the components apart from the start so that they do not collapse onto one another.
      this.means = tf.variable(tf.randomNormal([components, latentDim], 0, 1, 'float32', seed), true);
      this.logScales = tf.variable(tf.fill([components, latentDim], Math.log(0.5)), true);
    }
  }

  get variables(): tf.Variable[] {
    return [this.means, this.logScales];
  }

  /** log p(z) for z [batch, D] -> [batch]. */
  logProb(z: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const diff = tf.sub(tf.expandDims(z, 1), tf.expandDims(this.means, 0)); // [B, K, D]
      const invVar = tf.exp(tf.mul(this.logScales, -2));
      const perDim = tf.add(tf.mul(tf.square(diff), invVar), tf.add(tf.mul(this.logScales, 2), LOG_2PI));
      const logComp = tf.mul(tf.sum(perDim, 2), -0.5); // [B, K]
      return tf.sub(tf.logSumExp(logComp, 1), Math.log(this.components)) as tf.Tensor1D;
    });
  }

  /**
   * Closed-form KL(N(mu, diag e^logvar) || N(m_k, diag s_k^2)) of each row
   * [batch, D] against its own component k = components[row] -> [batch].
   */
  klToComponents(mu: tf.Tensor2D, logvar: tf.Tensor2D, components: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => {
      // A one-hot product rather than tf.gather: gather's gradient needs
      // UnsortedSegmentSum, which the wasm backend does not have.
      const pick = tf.cast(tf.oneHot(components, this.components), 'float32');
      const m = tf.matMul(pick, this.means);
      const logS = tf.matMul(pick, this.logScales);
      const invVar = tf.exp(tf.mul(logS, -2));
      // log s - logvar / 2 + (e^logvar + (mu - m)^2) / (2 s^2) - 1/2, summed over D.
      const perDim = tf.add(
        tf.sub(logS, tf.mul(logvar, 0.5)),
        tf.sub(tf.mul(tf.mul(tf.add(tf.exp(logvar), tf.squaredDifference(mu, m)), invVar), 0.5), 0.5),
      );
      return tf.sum(perDim, 1) as tf.Tensor1D;
    });
  }

  /**
   * Sets component k to the diagonal Gaussian that best fits the posteriors
   * N(mu_i, diag e^logvar_i) of the items labelled k (moment matching: mean
   * of the mu_i; variance the mean of e^logvar_i + (mu_i - m_k)^2). For a
   * fixed encoder this is the exact maximiser of the ELBO over the
   * component's mean and scale (the M-step of EM). mu, logvar: row-major
   * [n, latentDim]. Components without items keep their values. Returns the
   * number of items per component.
   */
  matchComponents(mu: Float32Array, logvar: Float32Array, labels: ArrayLike<number>): number[] {
    const D = this.latentDim;
    if (mu.length !== labels.length * D) throw new RangeError(`matchComponents: expected ${labels.length} x ${D} posteriors, got ${mu.length} values`);
    const { counts, mean, postVar, scatter } = posteriorMoments(mu, logvar, labels, this.components, 'matchComponents');
    const means = this.means.arraySync() as number[][];
    const logScales = this.logScales.arraySync() as number[][];
    for (let k = 0; k < this.components; k++) {
      if (counts[k] === 0) continue;
      for (let j = 0; j < D; j++) {
        means[k]![j] = mean[k * D + j]!;
        logScales[k]![j] = 0.5 * Math.log(postVar[k * D + j]! + scatter[(k * D + j) * D + j]! / counts[k]!);
      }
    }
    tf.tidy(() => {
      this.means.assign(tf.tensor2d(means));
      this.logScales.assign(tf.tensor2d(logScales));
    });
    return counts;
  }

  /**
   * log p(k | z) of each component under the mixture (equal weights), for z
   * [batch, D] -> [batch, K]: the log of each component's responsibility.
   */
  logResponsibilities(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const diff = tf.sub(tf.expandDims(z, 1), tf.expandDims(this.means, 0));
      const invVar = tf.exp(tf.mul(this.logScales, -2));
      const logComp = tf.mul(tf.sum(tf.add(tf.mul(tf.square(diff), invVar), tf.mul(this.logScales, 2)), 2), -0.5);
      return tf.logSoftmax(logComp, 1) as tf.Tensor2D;
    });
  }

  /** n samples from component k (or from the mixture when k is undefined). */
  sample(n: number, seed: number, k?: number): tf.Tensor2D {
    return tf.tidy(() => {
      const comps = k === undefined
        ? tf.randomUniformInt([n], 0, this.components, seed + 7)
        : tf.fill([n], k, 'int32');
      const m = tf.gather(this.means, comps);
      const s = tf.exp(tf.gather(this.logScales, comps));
      return tf.add(m, tf.mul(s, tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed))) as tf.Tensor2D;
    });
  }

  toJSON(): { means: number[][]; logScales: number[][] } {
    return { means: this.means.arraySync() as number[][], logScales: this.logScales.arraySync() as number[][] };
  }

  dispose(): void {
    this.means.dispose();
    this.logScales.dispose();
  }
}
