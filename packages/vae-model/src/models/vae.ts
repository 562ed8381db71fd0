import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture } from './architecture.js';
import { ClassPrior } from './class-prior.js';
import { buildNetworks } from './networks.js';
import { MixturePrior } from './prior.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Loss terms of one batch (scalars, averaged over the batch). */
export interface LossTerms {
  loss: tf.Scalar;
  recon: tf.Scalar;
  kl: tf.Scalar;
  /**
   * A gmvae with a class term (Architecture.classWeight): the mean
   * -log p(own digit | z) under the mixture in nats, unweighted; the loss
   * holds classWeight times it. Absent for every other model.
   */
  classNll?: tf.Scalar;
}

/** Spectrograms as given to the model: [n, bins, frames] values in [0, 1] (bin-major rows), or a tensor [n, bins, frames, 1]. */
export type Spectrograms = Float32Array | tf.Tensor4D;

/**
 * A spectrogram VAE of one of three kinds: 'standard' (N(0, I) prior),
 * 'gmvae' (learned Gaussian-mixture prior), 'cvae' (encoder and decoder
 * conditioned on the digit). Every public method that returns numbers leaves
 * tf.memory() as it found it.
 */
/**
 * Highest posterior log-variance: the encoder's `z_log_var` output v is used
 * as v - softplus(v - LOG_VARIANCE_CAP), the identity below the cap (within
 * 0.13 at v = 0) and smoothly capped above it (posterior std at most about
 * e^1 = 2.7, while the prior's is 1, where the KL term wants it). Without the
 * cap one Adam step on the 9,216 x 16 log-variance layer can send exp(v) to
 * 1e6 or more: the sampled z then blow up the decoder's BatchNorm moving
 * statistics and the model in inference mode outputs garbage for hundreds of
 * steps (seen on FSDD with the default preset at learning rates 5e-4 and
 * 1e-3). Applied outside the saved graph, like the sampling.
 */
export const LOG_VARIANCE_CAP = 2;

/**
 * Lowest posterior log-variance (posterior std e^-5 = 0.0067), applied the
 * same way from below: + softplus(LOG_VARIANCE_FLOOR - v). Trained models put
 * 99 % of their log-variances between -7.3 and -0.4, but single clips reached
 * -71 (one dimension then costs 35 nats of KL); excursions like these are
 * what made the KL jump from 40 to 300 nats per clip within a few steps.
 */
export const LOG_VARIANCE_FLOOR = -10;

/** Spectrograms per encoder pass in `encode` (bounds the activations' memory). */
const ENCODE_BATCH = 128;

/**
 * The caps' gradient is passed straight through (identity): with the exact
 * gradient 1 - sigmoid(v - cap), an output that once overshot (v >> cap)
 * gets no gradient at all and stays at the cap for good, a latent dimension
 * with posterior std 2.7 that the KL term can never pull back (seen on FSDD:
 * 5 of 16 dimensions stuck there after 8 epochs).
 */
const capLogVariance = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const v = args[0] as tf.Tensor;
  const capped = tf.add(tf.sub(v, tf.softplus(tf.sub(v, LOG_VARIANCE_CAP))), tf.softplus(tf.sub(LOG_VARIANCE_FLOOR, v)));
  return { value: capped, gradFunc: (dy: tf.Tensor) => dy };
}) as (v: tf.Tensor2D) => tf.Tensor2D;

export class SpectrogramVae {
  readonly architecture: Architecture;
  readonly encoder: tfl.LayersModel;
  readonly decoder: tfl.LayersModel;
  readonly prior: MixturePrior | null;
  /** Densities of the digits' aggregate posteriors, fitted after training (see fitClassPrior); null until then. */
  classPrior: ClassPrior | null = null;

  constructor(architecture: Architecture, networks?: { encoder: tfl.LayersModel; decoder: tfl.LayersModel }, prior?: MixturePrior | null) {
    this.architecture = architecture;
    const n = networks ?? buildNetworks(architecture);
    this.encoder = n.encoder;
    this.decoder = n.decoder;
    this.prior = architecture.kind === 'gmvae'
      ? prior ?? new MixturePrior(architecture.components!, architecture.latentDim, undefined, architecture.seed)
      : null;
  }

  /** Every trainable variable: encoder, decoder and (gmvae) prior. */
  get trainableVariables(): tf.Variable[] {
    const vars = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
    return this.prior ? [...vars, ...this.prior.variables] : vars;
  }

  get parameterCount(): number {
    return this.encoder.countParams() + this.decoder.countParams() + (this.prior ? 2 * this.prior.components * this.prior.latentDim : 0);
  }

  private get pixels(): number {
    const [h, w, c] = this.architecture.inputShape;
    return h * w * c;
  }

  /** The tensor [n, bins, frames, channels] for Float32Array input (validated). */
  toTensor(x: Spectrograms): tf.Tensor4D {
    if (x instanceof tf.Tensor) return x;
    const [h, w, c] = this.architecture.inputShape;
    return tf.tensor4d(x, [this.count(x), h, w, c]);
  }

  /** How many spectrograms a Float32Array holds (validated). */
  private count(x: Float32Array): number {
    const [h, w, c] = this.architecture.inputShape;
    const per = h * w * c;
    if (!(x instanceof Float32Array) || x.length === 0 || x.length % per !== 0) {
      throw new RangeError(`spectrograms must be a non-empty Float32Array of n x ${h} x ${w} values, got ${x instanceof Float32Array ? x.length : typeof x} values`);
    }
    return x.length / per;
  }

  /** The labels as an int32 tensor [n], checked: one per item, each a class in [0, classes). */
  private labelTensor(labels: ArrayLike<number> | undefined, n: number, classes: number, who: string): tf.Tensor1D {
    if (!labels || labels.length !== n) throw new RangeError(`${who} needs one digit label per item (${n}), got ${labels?.length ?? 0}`);
    for (let i = 0; i < n; i++) {
      const d = labels[i]!;
      if (!Number.isInteger(d) || d < 0 || d >= classes) throw new RangeError(`label ${d} is not a class in [0, ${classes})`);
    }
    return tf.tensor1d(Int32Array.from(labels), 'int32');
  }

  private oneHot(labels: ArrayLike<number> | undefined, n: number): tf.Tensor2D | null {
    if (this.architecture.kind !== 'cvae') return null;
    const classes = this.architecture.classes!;
    return tf.cast(tf.oneHot(this.labelTensor(labels, n, classes, 'a conditional model'), classes), 'float32') as tf.Tensor2D;
  }

  private encodeT(x: tf.Tensor4D, label: tf.Tensor2D | null, training: boolean): [tf.Tensor2D, tf.Tensor2D] {
    const out = this.encoder.apply(label ? [x, label] : x, { training }) as tf.Tensor[];
    return [out[0] as tf.Tensor2D, capLogVariance(out[1] as tf.Tensor2D)];
  }

  private decodeT(z: tf.Tensor2D, label: tf.Tensor2D | null, training: boolean): tf.Tensor4D {
    return this.decoder.apply(label ? [z, label] : z, { training }) as tf.Tensor4D;
  }

  /**
   * Loss of a batch; in training mode BatchNorm uses and updates batch
   * statistics, otherwise its moving averages: reconWeight * mean squared error per pixel + klWeight * KL,
   * per sample, averaged. `noise` is the reparameterisation noise
   * [batch, latentDim], or a seed to draw it.
   */
  lossTerms(x: tf.Tensor4D, labels: ArrayLike<number> | undefined, noise: number | tf.Tensor2D, klScale = 1, training = true): LossTerms {
    return tf.tidy(() => {
      const a = this.architecture;
      const label = this.oneHot(labels, x.shape[0]);
      const [mu, logvar] = this.encodeT(x, label, training);
      const eps = typeof noise === 'number' ? tf.randomNormal(mu.shape, 0, 1, 'float32', noise) : noise;
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as tf.Tensor2D;
      const xHat = this.decodeT(z, label, training);
      const recon = tf.mul(tf.mean(tf.squaredDifference(x, xHat)), a.reconWeight) as tf.Scalar;
      let kl: tf.Scalar;
      let classNll: tf.Scalar | null = null;
      if (this.prior && a.labelledComponents) {
        // q(k | x) is the clip's own digit: KL over k (log K against the
        // uniform weights) plus the closed-form KL to that digit's component.
        const k = this.labelTensor(labels, x.shape[0], this.prior.components, 'a gmvae with labelled components');
        kl = tf.add(tf.mean(this.prior.klToComponents(mu, logvar, k)), Math.log(this.prior.components)) as tf.Scalar;
        if (a.classWeight) {
          const own = tf.cast(tf.oneHot(k, this.prior.components), 'float32');
          classNll = tf.neg(tf.mean(tf.sum(tf.mul(own, this.prior.logResponsibilities(z)), 1))) as tf.Scalar;
        }
      } else if (this.prior) {
        // Single-sample estimate of KL(q || p) with q's entropy in closed form.
        const negEntropy = tf.mul(tf.sum(tf.add(logvar, 1 + LOG_2PI), 1), -0.5);
        kl = tf.mean(tf.sub(negEntropy, this.prior.logProb(z))) as tf.Scalar;
      } else {
        kl = tf.mean(tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar)), 1), -0.5)) as tf.Scalar;
      }
      let loss = tf.add(recon, tf.mul(kl, a.klWeight * klScale)) as tf.Scalar;
      if (classNll) loss = tf.add(loss, tf.mul(classNll, a.classWeight!));
      return classNll ? { loss, recon, kl, classNll } : { loss, recon, kl };
    });
  }

  /**
   * Sets every BatchNorm layer's moving mean and variance to the average of
   * its batch statistics over `x` (forward passes in training mode with
   * sampled z, as in a training step, but no weight changes), in batches of
   * `batchSize`. The moving averages that training leaves lag behind weights
   * that changed since (and one outlier batch stays in them for hundreds of
   * steps at momentum 0.99); inference mode then disagrees with training
   * mode. The trainer calls this after every epoch.
   */
  recalibrateBatchNorm(x: Float32Array, labels?: ArrayLike<number>, opts: { batchSize?: number; seed?: number } = {}): void {
    type Bn = tfl.layers.Layer & { momentum: number };
    const layers = [...this.encoder.layers, ...this.decoder.layers].filter((l) => l.getClassName() === 'BatchNormalization') as Bn[];
    if (layers.length === 0) return;
    const [h, w, c] = this.architecture.inputShape;
    const per = h * w * c;
    const n = x.length / per;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`recalibrateBatchNorm: x must hold n x ${h} x ${w} x ${c} values`);
    const bs = opts.batchSize ?? 64;
    const seed = opts.seed ?? 1;
    const saved = layers.map((l) => l.momentum);
    try {
      for (let s = 0, k = 1; s < n; s += bs, k++) {
        const size = Math.min(bs, n - s);
        // Momentum 1 - 1/k makes the moving value the running mean of the k batch statistics.
        for (const l of layers) l.momentum = 1 - 1 / k;
        const lb = labels ? Array.from({ length: size }, (_, i) => labels[s + i]!) : undefined;
        tf.tidy(() => {
          this.lossTerms(tf.tensor4d(x.subarray(s * per, (s + size) * per), [size, h, w, c]), lb, seed * 7919 + k, 1, true);
        });
      }
    } finally {
      layers.forEach((l, i) => { l.momentum = saved[i]!; });
    }
  }

  /**
   * Fits {@link ClassPrior} (per digit a Gaussian and a Gaussian mixture of
   * DEFAULT_CLASS_PRIOR_COMPONENTS components) to the
   * posteriors of `x` with their digit labels and keeps it in `classPrior`,
   * from where it is saved with the model and used by
   * `sampleLatents(n, seed, { digits })`. The trainer does this after every
   * epoch when it has labels.
   */
  fitClassPrior(x: Float32Array, labels: ArrayLike<number>, opts: { classes?: number } = {}): ClassPrior {
    const { mu, logvar } = this.encodeLabelled(x, labels, 'fitClassPrior');
    this.classPrior = ClassPrior.fit(mu, logvar, labels, opts.classes ?? this.architecture.classes ?? 10);
    return this.classPrior;
  }

  /**
   * What the trainer does after every epoch with labelled data, from one
   * encoder pass: fits the class prior (unless `classPrior: false`) and, for
   * a gmvae with labelled components, sets each component to its digit's
   * moment-matched posterior Gaussian (MixturePrior.matchComponents). Adam
   * moves the components only about learningRate per step, far slower than
   * the encoder moves the posteriors; without this step the components
   * stayed 3-5 units from their digits' posteriors on FSDD and their samples
   * decoded to other digits.
   */
  fitToLabels(x: Float32Array, labels: ArrayLike<number>, opts: { classPrior?: boolean } = {}): void {
    const matchComponents = this.prior !== null && this.architecture.labelledComponents === true;
    if (!matchComponents && opts.classPrior === false) return;
    const { mu, logvar } = this.encodeLabelled(x, labels, 'fitToLabels');
    if (matchComponents) this.prior!.matchComponents(mu, logvar, labels);
    if (opts.classPrior !== false) this.classPrior = ClassPrior.fit(mu, logvar, labels, this.architecture.classes ?? 10);
  }

  private encodeLabelled(x: Float32Array, labels: ArrayLike<number>, who: string): { mu: Float32Array; logvar: Float32Array } {
    const [h, w, c] = this.architecture.inputShape;
    const n = labels.length;
    if (n < 1 || x.length !== n * h * w * c) throw new RangeError(`${who}: expected ${n} x ${h} x ${w} x ${c} values, got ${x.length}`);
    return this.encode(x, this.architecture.kind === 'cvae' ? labels : undefined);
  }

  /**
   * Posterior means and log-variances (inference mode), row-major [n,
   * latentDim]. Any number of spectrograms: a Float32Array goes through the
   * encoder in batches of ENCODE_BATCH.
   */
  encode(x: Spectrograms, labels?: ArrayLike<number>): { mu: Float32Array; logvar: Float32Array; n: number } {
    if (x instanceof tf.Tensor) {
      return tf.tidy(() => {
        const [mu, logvar] = this.encodeT(x, this.oneHot(labels, x.shape[0]), false);
        return { mu: mu.dataSync() as Float32Array, logvar: logvar.dataSync() as Float32Array, n: x.shape[0] };
      });
    }
    const n = this.count(x);
    const [h, w, c] = this.architecture.inputShape;
    const per = h * w * c;
    const cvae = this.architecture.kind === 'cvae';
    if (cvae && labels?.length !== n) throw new RangeError(`a conditional model needs one digit label per item (${n}), got ${labels?.length ?? 0}`);
    const d = this.architecture.latentDim;
    const mu = new Float32Array(n * d), logvar = new Float32Array(n * d);
    for (let s = 0; s < n; s += ENCODE_BATCH) {
      const size = Math.min(ENCODE_BATCH, n - s);
      tf.tidy(() => {
        const t = tf.tensor4d(x.subarray(s * per, (s + size) * per), [size, h, w, c]);
        const lb = cvae ? Array.from({ length: size }, (_, i) => labels![s + i]!) : undefined;
        const [m, v] = this.encodeT(t, this.oneHot(lb, size), false);
        mu.set(m.dataSync(), s * d);
        logvar.set(v.dataSync(), s * d);
      });
    }
    return { mu, logvar, n };
  }

  /** Spectrograms [n, bins, frames] in [0, 1] for latents z (row-major [n, latentDim]). */
  decode(z: Float32Array, labels?: ArrayLike<number>): Float32Array {
    const d = this.architecture.latentDim;
    if (!(z instanceof Float32Array) || z.length === 0 || z.length % d !== 0) throw new RangeError(`z must hold n x ${d} values`);
    return tf.tidy(() => {
      const zt = tf.tensor2d(z, [z.length / d, d]);
      return this.decodeT(zt, this.oneHot(labels, zt.shape[0]), false).dataSync() as Float32Array;
    });
  }

  /** Reconstruction from the posterior mean (deterministic, unlike the original). */
  reconstruct(x: Spectrograms, labels?: ArrayLike<number>): Float32Array {
    return this.decode(this.encode(x, labels).mu, labels);
  }

  /**
   * n latents from the prior: N(0, I) (standard, cvae), the mixture or one of
   * its components (gmvae), N(center, std^2 I) around a given point (the
   * original's per-digit sampling around a class mean, std 0.5), or, with
   * `digits` (one per latent), from the fitted {@link ClassPrior} of each
   * digit, scaled by `temperature` (default 1).
   */
  sampleLatents(
    n: number, seed: number,
    opts: { component?: number; around?: { center: Float32Array; std: number }; digits?: ArrayLike<number>; temperature?: number } = {},
  ): Float32Array {
    const d = this.architecture.latentDim;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
    if (opts.digits) {
      if (!this.classPrior) throw new RangeError('this model has no fitted class prior (fitClassPrior, done by the trainer when it has digit labels)');
      if (opts.digits.length !== n) throw new RangeError(`digits must hold one digit per latent (${n}), got ${opts.digits.length}`);
      return this.classPrior.sample(opts.digits, seed, opts.temperature ?? 1);
    }
    return tf.tidy(() => {
      if (opts.around) {
        if (opts.around.center.length !== d) throw new RangeError(`center must have ${d} values`);
        const c = tf.tensor2d(opts.around.center, [1, d]);
        return tf.add(c, tf.randomNormal([n, d], 0, opts.around.std, 'float32', seed)).dataSync() as Float32Array;
      }
      if (this.prior) {
        if (opts.component !== undefined && !(Number.isInteger(opts.component) && opts.component >= 0 && opts.component < this.prior.components)) {
          throw new RangeError(`component must be in [0, ${this.prior.components})`);
        }
        return this.prior.sample(n, seed, opts.component).dataSync() as Float32Array;
      }
      if (opts.component !== undefined) throw new RangeError('only a gmvae has mixture components');
      return tf.randomNormal([n, d], 0, 1, 'float32', seed).dataSync() as Float32Array;
    });
  }

  /** steps latents on the straight line from a to b (inclusive). */
  static interpolate(a: Float32Array, b: Float32Array, steps: number): Float32Array {
    if (a.length !== b.length) throw new RangeError('latents differ in size');
    if (!Number.isInteger(steps) || steps < 2) throw new RangeError('steps must be an integer >= 2');
    const out = new Float32Array(steps * a.length);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let i = 0; i < a.length; i++) out[s * a.length + i] = (1 - t) * a[i]! + t * b[i]!;
    }
    return out;
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.prior?.dispose();
  }
}
