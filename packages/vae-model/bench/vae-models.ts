// The conv VAEs the kernel benchmark and tests train (mirrored by
// bench/torch_reference.py): encoder Conv2D(3x3, same) -> ReLU -> BatchNorm
// blocks, Dense mu / log-variance, decoder Dense -> reshape -> mirrored
// Conv2DTranspose -> ReLU -> BatchNorm blocks, Conv2DTranspose(1) -> sigmoid.
// Loss per sample: 1e6 * mean((x - x_hat)^2) + KL; Adam.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { defaultArchitecture } from '../src/models/architecture.js';
import { featurePreset, featureShape } from '../src/features/config.js';

export interface VaeSpec {
  name: string;
  height: number;
  width: number;
  filters: number[];
  strides: [number, number][];
  latent: number;
}

const STRIDES: [number, number][] = [[2, 2], [2, 2], [2, 2], [2, 2], [2, 1]];

/** The small VAE (filters 16..128 on 256x64x1). */
export const SMALL: VaeSpec = { name: 'small', height: 256, width: 64, filters: [16, 32, 64, 128, 128], strides: STRIDES, latent: 128 };
/** The original experiment's VAE (filters 512..32 on 256x64x1, latent 128). */
export const ORIGINAL: VaeSpec = { name: 'original', height: 256, width: 64, filters: [512, 256, 128, 64, 32], strides: STRIDES, latent: 128 };

/**
 * The package's default model (defaultArchitecture on the default feature
 * preset's input) as a VaeSpec: the same convolutions (its cvae label and
 * loss weight do not change them).
 */
export function defaultSpec(): VaeSpec {
  const input = featureShape(featurePreset('default')).inputShape;
  const a = defaultArchitecture(input, 'cvae');
  return { name: 'default', height: input[0], width: input[1], filters: a.filters, strides: a.strides, latent: a.latentDim };
}

export interface Vae {
  spec: VaeSpec;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
}

/**
 * The benchmark's VAE. With a `seed` the weights are seeded (Glorot uniform,
 * as by default), so a test sees the same network in every process.
 */
export function buildVae(spec: VaeSpec, seed?: number): Vae {
  let layer = 0;
  const init = () => (seed === undefined ? {} : { kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 1000 + layer++ }) });
  const input = tfl.input({ shape: [spec.height, spec.width, 1] });
  let h: tfl.SymbolicTensor = input;
  let hh = spec.height;
  let ww = spec.width;
  spec.filters.forEach((f, i) => {
    const s = spec.strides[i] ?? [2, 2];
    h = tfl.layers.conv2d({ filters: f, kernelSize: 3, strides: s, padding: 'same', ...init() }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
    hh = Math.ceil(hh / s[0]);
    ww = Math.ceil(ww / s[1]);
  });
  const flat = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const mu = tfl.layers.dense({ units: spec.latent, ...init() }).apply(flat) as tfl.SymbolicTensor;
  const logvar = tfl.layers.dense({ units: spec.latent, ...init() }).apply(flat) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: input, outputs: [mu, logvar] });

  const z = tfl.input({ shape: [spec.latent] });
  const last = spec.filters[spec.filters.length - 1]!;
  let d = tfl.layers.dense({ units: hh * ww * last, ...init() }).apply(z) as tfl.SymbolicTensor;
  d = tfl.layers.reshape({ targetShape: [hh, ww, last] }).apply(d) as tfl.SymbolicTensor;
  const rf = [...spec.filters].reverse();
  const rs = [...spec.strides].reverse();
  rf.forEach((f, i) => {
    d = tfl.layers.conv2dTranspose({ filters: f, kernelSize: 3, strides: rs[i] ?? [2, 2], padding: 'same', ...init() }).apply(d) as tfl.SymbolicTensor;
    d = tfl.layers.reLU().apply(d) as tfl.SymbolicTensor;
    d = tfl.layers.batchNormalization().apply(d) as tfl.SymbolicTensor;
  });
  d = tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 1, padding: 'same', ...init() }).apply(d) as tfl.SymbolicTensor;
  d = tfl.layers.activation({ activation: 'sigmoid' }).apply(d) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: z, outputs: d });
  return { spec, encoder, decoder };
}

/** Mean over the batch of 1e6 * MSE(x, x_hat) + KL(q(z|x) || N(0, I)). */
export function vaeLoss(vae: Vae, x: tf.Tensor, eps: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [mu, logvar] = vae.encoder.apply(x, { training: true }) as tf.Tensor[];
    const z = tf.add(mu!, tf.mul(tf.exp(tf.mul(logvar!, 0.5)), eps));
    const xr = vae.decoder.apply(z, { training: true }) as tf.Tensor;
    const mse = tf.mean(tf.squaredDifference(x, xr), [1, 2, 3]);
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar!), tf.square(mu!)), tf.exp(logvar!)), 1));
    return tf.mean(tf.add(tf.mul(1e6, mse), kl)) as tf.Scalar;
  });
}

export function trainableVariables(vae: Vae): tf.Variable[] {
  return [...vae.encoder.trainableWeights, ...vae.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
}

/**
 * One Adam step on a batch, as `microBatch`-sized pieces whose gradients are
 * averaged before the update (BatchNorm then normalises with micro-batch
 * statistics, and its moving averages are updated once per micro-batch).
 */
export function trainStep(vae: Vae, opt: tf.Optimizer, x: tf.Tensor, eps: tf.Tensor, microBatch = x.shape[0]!): number {
  const batch = x.shape[0]!;
  const vars = trainableVariables(vae);
  if (microBatch >= batch) {
    const loss = opt.minimize(() => vaeLoss(vae, x, eps), true, vars);
    const v = loss!.dataSync()[0]!;
    loss!.dispose();
    return v;
  }
  const pieces = Math.ceil(batch / microBatch);
  let acc: Record<string, tf.Tensor> | undefined;
  let total = 0;
  for (let i = 0; i < pieces; i++) {
    const start = i * microBatch;
    const size = Math.min(microBatch, batch - start);
    const { value, grads } = tf.tidy(() => {
      const xs = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
      const es = tf.slice(eps, [start, 0], [size, -1]);
      return tf.variableGrads(() => tf.mul(vaeLoss(vae, xs, es), size / batch) as tf.Scalar, vars);
    });
    total += value.dataSync()[0]!;
    value.dispose();
    if (acc === undefined) {
      acc = grads;
    } else {
      for (const k of Object.keys(grads)) {
        const prev = acc[k]!;
        acc[k] = tf.add(prev, grads[k]!);
        prev.dispose();
        grads[k]!.dispose();
      }
    }
  }
  opt.applyGradients(acc as tf.NamedTensorMap);
  tf.dispose(Object.values(acc ?? {}));
  return total;
}

/** The convolutions of a model as (input H, W, Ci) -> Co with a stride (forward-conv view). */
export interface ConvShape { h: number; w: number; ci: number; co: number; stride: [number, number]; role: string }

export function convShapes(spec: VaeSpec): ConvShape[] {
  const res: ConvShape[] = [];
  let h = spec.height;
  let w = spec.width;
  let c = 1;
  const sizes: [number, number, number][] = [];
  spec.filters.forEach((f, i) => {
    const s = spec.strides[i] ?? [2, 2];
    res.push({ h, w, ci: c, co: f, stride: s, role: `enc${i + 1}` });
    sizes.push([h, w, c]);
    h = Math.ceil(h / s[0]);
    w = Math.ceil(w / s[1]);
    c = f;
  });
  // Decoder transposed convs, as the forward conv they transpose: from the
  // larger map (the transposed conv's output) to the smaller one.
  const rf = [...spec.filters].reverse();
  const rs = [...spec.strides].reverse();
  let inC = c;
  rf.forEach((f, i) => {
    const s = rs[i] ?? [2, 2];
    const oh = h * s[0];
    const ow = w * s[1];
    res.push({ h: oh, w: ow, ci: f, co: inC, stride: s, role: `dec${i + 1}` });
    h = oh;
    w = ow;
    inC = f;
  });
  res.push({ h, w, ci: 1, co: inC, stride: [1, 1], role: 'dec-out' });
  return res;
}
