// Our wasm training kernels against tfjs' cpu backend, on the shapes, strides,
// paddings and batch sizes of our models (channel counts reduced where the
// code paths allow, so the cpu reference stays fast).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TRAINING_KERNELS } from '../src/kernels/register.js';
import { setKernelSplitMin } from '../src/kernels/heap.js';
import { ORIGINAL, SMALL, buildVae, convShapes, defaultSpec, trainableVariables, vaeLoss } from '../bench/vae-models.js';
import type { ConvShape, VaeSpec } from '../bench/vae-models.js';
import { onBoth, randomTensor, relErr, wasmReady } from './kernels/helpers.js';
import { SpectrogramVae } from '../src/models/vae.js';
import type { Architecture } from '../src/models/architecture.js';

const TOL = 1e-4;

beforeAll(async () => {
  const info = await wasmReady();
  expect(info.backend).toBe('wasm');
  expect(info.simd).toBe(true);
  // Split every kernel call across threads, so both code paths are checked.
  setKernelSplitMin(0);
});

afterAll(() => {
  setKernelSplitMin(1 << 16);
});

describe('backend', () => {
  it('selects wasm with SIMD and registers the training kernels', async () => {
    const info = await wasmReady();
    expect(tf.getBackend()).toBe('wasm');
    expect(info.build).toMatch(/simd/);
    for (const k of TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
  });
});

// ---------------------------------------------------------------------------
// Convolutions

interface ConvCase { n: number; h: number; w: number; ci: number; co: number; stride: [number, number]; pad: 'same' | 'valid'; label: string }

/** Channel counts for the test: keep 1 as 1, otherwise small (code paths depend on C % 4 and C % 8). */
function reduced(c: number, small: number): number {
  return c === 1 ? 1 : small;
}

/**
 * Every conv of a model, both paddings. The largest maps (32k pixels and more
 * per image) run at batch 8 instead of the model's batch: the code paths are
 * the same (images and thread parts still split mid-chunk), and the cpu
 * reference is otherwise 15-40 s per case.
 */
function casesFor(spec: VaeSpec, batch: number): ConvCase[] {
  const res: ConvCase[] = [];
  convShapes(spec).forEach((s: ConvShape, i) => {
    const n = s.h * s.w >= 16384 ? Math.min(batch, 8) : batch;
    for (const pad of ['same', 'valid'] as const) {
      res.push({ n, h: s.h, w: s.w, ci: reduced(s.ci, i % 2 === 0 ? 4 : 3), co: reduced(s.co, i % 2 === 0 ? 8 : 5),
        stride: s.stride, pad, label: `${spec.name} ${s.role} ${s.h}x${s.w} s${s.stride.join(',')} ${pad}` });
    }
  });
  return res;
}

const convCases: ConvCase[] = [
  ...casesFor(defaultSpec(), 64), // the package's default model (128 x 144, 8 x 9 at the bottom)
  ...casesFor(SMALL, 64),
  ...casesFor(ORIGINAL, 8), // the original trains in micro-batches of 8
  // real channel counts of mid layers, and odd sizes
  { n: 2, h: 32, w: 8, ci: 64, co: 128, stride: [2, 2], pad: 'same', label: 'small enc4 real channels' },
  { n: 2, h: 16, w: 4, ci: 128, co: 128, stride: [2, 1], pad: 'same', label: 'small enc5 real channels' },
  { n: 3, h: 9, w: 7, ci: 3, co: 5, stride: [2, 2], pad: 'same', label: 'odd 9x7' },
  { n: 3, h: 9, w: 7, ci: 6, co: 1, stride: [1, 1], pad: 'valid', label: 'odd co=1' },
  { n: 1, h: 11, w: 6, ci: 2, co: 7, stride: [2, 1], pad: 'valid', label: 'odd 11x6 s2,1' },
];

describe('Conv2DBackpropFilter and Conv2DBackpropInput vs cpu', () => {
  for (const c of convCases) {
    it(`${c.label}: n=${c.n} ${c.ci}->${c.co}`, async () => {
      const x = randomTensor([c.n, c.h, c.w, c.ci], 1) as tf.Tensor4D;
      const f = randomTensor([3, 3, c.ci, c.co], 2) as tf.Tensor4D;
      const yShape = tf.tidy(() => tf.conv2d(x, f, c.stride, c.pad).shape);
      const dy = randomTensor(yShape, 3) as tf.Tensor4D;
      const bias = randomTensor([c.co], 4) as tf.Tensor1D;
      const r = await onBoth(() => [
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: f.shape }) as tf.Tensor,
        tf.conv2dTranspose(dy, f, x.shape, c.stride, c.pad), // Conv2DBackpropInput
        // forward (our kernel when ci = 1, else XNNPACK)
        ...(c.ci === 1 ? [
          tf.conv2d(x, f, c.stride, c.pad),
          tf.fused.conv2d({ x, filter: f, strides: c.stride, pad: c.pad, bias, activation: 'relu' }),
        ] : []),
      ]);
      expect(r.leakedTensors).toBe(0);
      expect(r.leakedBuffers).toBe(0);
      expect(relErr(r.wasm[0]!, r.cpu[0]!), 'filter').toBeLessThan(TOL);
      expect(relErr(r.wasm[1]!, r.cpu[1]!), 'input').toBeLessThan(TOL);
      if (c.ci === 1) {
        expect(relErr(r.wasm[2]!, r.cpu[2]!), 'forward').toBeLessThan(TOL);
        expect(relErr(r.wasm[3]!, r.cpu[3]!), 'fused forward').toBeLessThan(TOL);
      }
      tf.dispose([x, f, dy, bias]);
    });
  }

  it('gradients of conv2d and conv2dTranspose through tf.grads', async () => {
    const x = randomTensor([4, 16, 8, 4], 4) as tf.Tensor4D;
    const f = randomTensor([3, 3, 4, 8], 5) as tf.Tensor4D;
    const ft = randomTensor([3, 3, 4, 8], 6) as tf.Tensor4D;
    const r = await onBoth(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const y = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same'));
        return tf.conv2dTranspose(y as tf.Tensor4D, c as tf.Tensor4D, [4, 16, 8, 4], [2, 1], 'same');
      });
      return g([x, f, ft]);
    });
    expect(r.leakedTensors).toBe(0);
    r.wasm.forEach((a, i) => expect(relErr(a, r.cpu[i]!), `grad ${i}`).toBeLessThan(TOL));
    tf.dispose([x, f, ft]);
  });
});

// ---------------------------------------------------------------------------
// Matrix products with a transposed operand (the Dense layers' gradients)

describe('Conv2DBackpropFilter in one part (small calls at the default split threshold)', () => {
  // Calls under BPF_SPLIT_MIN_FLOP run in one part; with K and Co multiples
  // of 4 and 8 the kernel writes dW directly, otherwise through the reduction.
  beforeAll(() => setKernelSplitMin(1 << 16));
  afterAll(() => setKernelSplitMin(0));
  const cases: [string, number[], number, [number, number]][] = [
    ['original enc5, real channels (direct)', [8, 16, 4, 64], 32, [2, 1]],
    ['original dec1, real channels (direct)', [8, 16, 4, 32], 32, [2, 1]],
    ['odd channels (through the reduction)', [2, 9, 7, 3], 5, [2, 2]],
  ];
  it.each(cases)('%s', async (_, xShape, co, stride) => {
    const x = randomTensor(xShape, 41) as tf.Tensor4D;
    const fShape = [3, 3, xShape[3]!, co] as [number, number, number, number];
    const yShape = tf.tidy(() => tf.conv2d(x, tf.zeros(fShape) as tf.Tensor4D, stride, 'same').shape);
    const dy = randomTensor(yShape, 42) as tf.Tensor4D;
    const r = await onBoth(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: fShape }) as tf.Tensor);
    expect(r.leakedTensors).toBe(0);
    expect(r.leakedBuffers).toBe(0);
    expect(relErr(r.wasm[0]!, r.cpu[0]!)).toBeLessThan(TOL);
    tf.dispose([x, dy]);
  });
});

describe('Conv2DBackpropInput keeps its phase sub-kernels while the filter lives', () => {
  it('reuses them for the same weights, follows new weights, and frees them with the filter', () => {
    const dy = randomTensor([2, 8, 4, 5], 31) as tf.Tensor4D;
    const f1 = randomTensor([3, 3, 3, 5], 32) as tf.Tensor4D;
    const f2 = randomTensor([3, 3, 3, 5], 33) as tf.Tensor4D;
    const backend = tf.backend();
    const run = (f: tf.Tensor4D): Float32Array => tf.tidy(() => tf.conv2dTranspose(dy, f, [2, 16, 8, 3], [2, 2], 'same').dataSync() as Float32Array);
    // References from fresh tensors with the same values (their sub-kernels freed with them).
    const fresh = (f: tf.Tensor4D): Float32Array => {
      const t = tf.tensor4d(f.dataSync(), f.shape);
      const out = run(t);
      t.dispose();
      return out;
    };
    const r1 = fresh(f1);
    const r2 = fresh(f2);
    const v = tf.variable(f1); // shares f1's data
    const base = backend.numDataIds();
    const a1 = run(v);
    expect(a1).toEqual(r1);
    expect(backend.numDataIds() - base).toBe(4); // the 4 phase sub-kernels of stride 2 x 2
    expect(run(v)).toEqual(a1);
    expect(backend.numDataIds() - base).toBe(4);
    // A training step assigns new weights: new data, new sub-kernels.
    v.assign(f2);
    const a2 = run(v);
    expect(a2).toEqual(r2);
    expect(Array.from(a2)).not.toEqual(Array.from(a1));
    expect(run(f2)).toEqual(a2); // the same data as v now: the same sub-kernels
    expect(backend.numDataIds() - base).toBe(8);
    tf.dispose(f1); // the old weights' data goes, and its sub-kernels with it
    expect(backend.numDataIds() - base).toBe(3);
    v.dispose();
    tf.dispose(f2);
    expect(backend.numDataIds() - base).toBe(-2);
    tf.dispose(dy);
  });
});

describe('BatchMatMul vs cpu', () => {
  it('every transpose combination, on the Dense shapes of our models and odd sizes', async () => {
    // [M, K, N]: dense 9226 -> 16 (default cvae encoder), 26 -> 9216 (its decoder), odd sizes
    const dims: [number, number, number][] = [[64, 9226, 16], [64, 26, 9216], [7, 13, 5], [3, 1, 9], [16, 300, 33]];
    for (const [m, k, n] of dims) {
      const a = randomTensor([m, k], 21);
      const b = randomTensor([k, n], 22);
      const aT = tf.transpose(a);
      const bT = tf.transpose(b);
      const r = await onBoth(() => [
        tf.matMul(a, b),
        tf.matMul(aT, b, true, false),
        tf.matMul(a, bT, false, true),
        tf.matMul(aT, bT, true, true),
        tf.tidy(() => tf.matMul(tf.reshape(aT, [1, k, m]), tf.reshape(b, [1, k, n]), true, false)),
      ]);
      expect(r.leakedTensors).toBe(0);
      expect(r.leakedBuffers).toBe(0);
      r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i]!), `${m}x${k}x${n} variant ${i}`).toBeLessThan(TOL));
      tf.dispose([a, b, aT, bT]);
    }
  });
});

// ---------------------------------------------------------------------------
// Elementwise and reduction kernels

describe('elementwise kernels vs cpu', () => {
  it('Sum over leading axes (bias gradients), other Sums, Add (same shape, bias, broadcast), Cast, Identity', async () => {
    const a = randomTensor([64, 32, 8, 16], 7);
    const b = randomTensor([64, 32, 8, 16], 8);
    const bias = randomTensor([16], 9);
    const odd = randomTensor([5, 7, 3], 10);
    const r = await onBoth(() => [
      tf.sum(a, [0, 1, 2]),
      tf.sum(a, [0, 1, 2], true),
      tf.sum(odd, [0, 1]),
      tf.sum(a, [1, 2]),
      tf.add(a, b),
      tf.add(a, bias),
      // (intermediates the test itself makes are tidied: only kernel leaks count)
      tf.tidy(() => tf.add(tf.reshape(bias, [1, 1, 1, 16]), a)),
      tf.tidy(() => tf.add(odd, tf.ones([7, 1]))),
      tf.cast(a, 'float32'),
      tf.clone(a),
      tf.tidy(() => tf.cast(tf.cast(odd, 'int32'), 'float32')),
    ]);
    expect(r.leakedTensors).toBe(0);
    expect(r.leakedBuffers).toBe(0);
    r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i]!), `output ${i}`).toBeLessThan(TOL));
    tf.dispose([a, b, bias, odd]);
  });

  it('ReLU gradient', async () => {
    const x = randomTensor([64, 64, 16, 8], 11);
    const dy = randomTensor([64, 64, 16, 8], 12);
    const r = await onBoth(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy));
    expect(r.leakedTensors).toBe(0);
    expect(relErr(r.wasm[0]!, r.cpu[0]!)).toBeLessThan(TOL);
    tf.dispose([x, dy]);
  });

  it('BatchNormalization in training: output, moving statistics and gradients', async () => {
    for (const shape of [[64, 64, 16, 32], [8, 16, 4, 3], [16, 10]]) {
      const layer = tfl.layers.batchNormalization({ momentum: 0.9 });
      const x = tf.add(tf.mul(randomTensor(shape, 13), 3), 0.5);
      tf.dispose(layer.apply(x) as tf.Tensor); // builds the layer (a non-symbolic first call, so it can be disposed)
      // non-trivial gamma/beta
      const c = shape[shape.length - 1]!;
      layer.setWeights([randomTensor([c], 14), randomTensor([c], 15), tf.zeros([c]), tf.ones([c])]);
      const dy = randomTensor(shape, 16);
      const r = await onBoth(() => {
        const [g0, b0, mm0, mv0] = layer.getWeights().map((w) => tf.clone(w));
        const vars = [layer.trainableWeights[0]!.read() as tf.Variable, layer.trainableWeights[1]!.read() as tf.Variable];
        const res = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar, vars);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, dy)))(x);
          const y = layer.apply(x, { training: true }) as tf.Tensor;
          return [y, dx, grads[vars[0]!.name]!, grads[vars[1]!.name]!, value];
        });
        const stats = layer.getWeights().slice(2).map((w) => tf.clone(w));
        layer.setWeights([g0!, b0!, mm0!, mv0!]);
        tf.dispose([g0!, b0!, mm0!, mv0!]);
        return [...res, ...stats];
      });
      expect(r.leakedTensors).toBe(0);
      const names = ['y', 'dx', 'dgamma', 'dbeta', 'value', 'movingMean', 'movingVariance'];
      r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i]!), `${shape} ${names[i]}`).toBeLessThan(TOL));
      tf.dispose([x, dy]);
      layer.dispose();
    }
  });
});

// ---------------------------------------------------------------------------
// A whole training step

describe('VAE training step', () => {
  it('gradients of every variable match the cpu backend', async () => {
    const spec: VaeSpec = { name: 'tiny', height: 32, width: 16, filters: [4, 8, 8, 12, 8], strides: SMALL.strides, latent: 6 };
    // Seeded weights. For some draws of the weights this tiny network's
    // gradients are ill-conditioned (deep layers with a few pixels, where
    // BatchNorm divides by the variance of a handful of ReLU outputs): there a
    // 1e-6 relative change of the weights moved the cpu backend's own
    // gradients by up to 2 %, so float32 rounding differences between the
    // backends exceeded the tolerance for 2 of 40 unseeded draws. Equal
    // weights give bit-identical wasm gradients in every process.
    const vae = buildVae(spec, 1);
    const vars = trainableVariables(vae);
    const x = tf.sigmoid(randomTensor([8, 32, 16, 1], 17));
    const eps = randomTensor([8, 6], 18);
    const r = await onBoth(() => {
      const { value, grads } = tf.variableGrads(() => vaeLoss(vae, x, eps), vars);
      return [value, ...vars.map((v) => grads[v.name]!)];
    });
    expect(r.leakedTensors).toBe(0);
    expect(r.wasm.length).toBe(vars.length + 1);
    // Each kernel is held to TOL above; through a whole network (10+ layers of
    // float32 sums in a different order on each backend) the errors compound,
    // so the end-to-end gradients get 10x that.
    r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i]!), i === 0 ? 'loss' : vars[i - 1]!.name).toBeLessThan(10 * TOL));
    tf.dispose([x, eps]);
    vae.encoder.dispose();
    vae.decoder.dispose();
  });
});

describe('every model kind trains on wasm', () => {
  // Each kind's loss uses ops of its own (the mixture's log-density, the
  // labelled components' pick and log-responsibilities, the condition's concatenation): their
  // gradients must exist on wasm and agree with the cpu backend.
  const kinds: [string, Partial<Architecture>][] = [
    ['standard', { kind: 'standard' }],
    ['gmvae', { kind: 'gmvae', components: 3 }],
    ['gmvae with labelled components', { kind: 'gmvae', components: 3, labelledComponents: true }],
    ['gmvae with labelled components and classWeight', { kind: 'gmvae', components: 3, labelledComponents: true, classWeight: 2 }],
    ['cvae', { kind: 'cvae', classes: 3 }],
  ];
  it.each(kinds)('%s: loss gradients match the cpu backend', async (_, kind) => {
    const vae = new SpectrogramVae({
      kind: 'standard', inputShape: [16, 8, 1], filters: [4, 8], strides: [[2, 2], [2, 1]], kernelSize: 3, latentDim: 3,
      batchNorm: true, reconWeight: 1000, klWeight: 1, seed: 3, ...kind,
    });
    const vars = vae.trainableVariables;
    const x = tf.sigmoid(randomTensor([6, 16, 8, 1], 21)) as tf.Tensor4D;
    const eps = randomTensor([6, 3], 22) as tf.Tensor2D;
    const labels = [0, 1, 2, 2, 1, 0];
    const r = await onBoth(() => {
      const { value, grads } = tf.variableGrads(() => vae.lossTerms(x, labels, eps).loss, vars);
      return [value, ...vars.map((v) => grads[v.name]!)];
    });
    expect(r.leakedTensors).toBe(0);
    r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i]!), i === 0 ? 'loss' : vars[i - 1]!.name).toBeLessThan(10 * TOL));
    tf.dispose([x, eps]);
    vae.dispose();
  });
});
