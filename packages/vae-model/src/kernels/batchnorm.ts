// Fused batch normalisation for training on tfjs-wasm.
//
// tfjs-layers' BatchNormalization (training mode) runs tf.moments (Mean, Sub,
// Square, Mean) and FusedBatchNorm; their gradients add ~25 full-size passes
// per layer (Tile, Sum, Multiply, ones-like broadcasts, accumulating Adds),
// which dominated the training step. We register one kernel that computes the
// batch statistics and the normalised output in two passes, with a gradient
// that takes two passes too, and route the layer's training call to it when
// the wasm backend is active. Everything else (weights, moving averages,
// inference, serialisation) stays tfjs-layers' own.
import { registerGradient, sub, mul, tidy } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { asWasmBackend, f32, heapF32, heapF64, partsFor, ptr, runParts, scratch, sizeOf } from './heap.js';
import { ENGINE_RUN, isOurBackend } from './util.js';

export const BN_TRAIN = 'VaeBatchNormTrain';
export const BN_GRAD_PARAMS = 'VaeBatchNormGradParams';
export const BN_GRAD_X = 'VaeBatchNormGradX';

type Args = { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap };

function input(args: Args, name: string): TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`missing input ${name}`);
  return t;
}

/**
 * VaeBatchNormTrain: inputs {x [..., C], gamma [C], beta [C]}, attrs {epsilon};
 * outputs [y, mean [C], variance [C]] with the batch statistics over every
 * axis but the last (variance is the population variance, as tf.moments).
 */
export function batchNormTrain(args: Args): TensorInfo[] {
  const backend = asWasmBackend(args.backend);
  const x = input(args, 'x');
  const gamma = input(args, 'gamma');
  const beta = input(args, 'beta');
  const eps = Number((args.attrs as { epsilon?: number } | undefined)?.epsilon ?? 1e-3);
  const C = x.shape[x.shape.length - 1]!;
  const size = sizeOf(x.shape);
  const M = C === 0 ? 0 : size / C;
  const y = backend.makeOutput(x.shape, 'float32');
  const meanT = backend.makeOutput([C], 'float32');
  const varT = backend.makeOutput([C], 'float32');
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  if (M > 0) {
    const parts = partsFor(backend, size);
    // scratch: shift C f32 | a C f32 | b C f32 | acc parts*2C f32 | out parts*2C f64
    const bytes = 3 * C * 4 + parts * 2 * C * 4 + parts * 2 * C * 8 + 64;
    const base = scratch(backend, bytes);
    const shiftP = base;
    const aP = shiftP + C * 4;
    const bP = aP + C * 4;
    const accP = bP + C * 4;
    const outP = Math.ceil((accP + parts * 2 * C * 4) / 8) * 8;
    // Shifted sums (shift = the first row) keep the variance accurate.
    heapF32(backend, shiftP, C).set(f32(backend, x).subarray(0, C));
    runParts(backend, 'chanMoments', [ptr(backend, x), shiftP, M, C, accP, outP], parts);
    const partial = heapF64(backend, outP, parts * 2 * C);
    const shift = heapF32(backend, shiftP, C);
    for (let c = 0; c < C; c++) {
      let s1 = 0;
      let s2 = 0;
      for (let p = 0; p < parts; p++) {
        s1 += partial[(p * 2) * C + c]!;
        s2 += partial[(p * 2 + 1) * C + c]!;
      }
      const d = s1 / M;
      mean[c] = shift[c]! + d;
      variance[c] = Math.max(0, s2 / M - d * d);
    }
    const g = f32(backend, gamma);
    const bt = f32(backend, beta);
    const a = heapF32(backend, aP, C);
    const b = heapF32(backend, bP, C);
    for (let c = 0; c < C; c++) {
      const m32 = Math.fround(mean[c]!);
      const v32 = Math.fround(variance[c]!);
      const s = g[c]! / Math.sqrt(v32 + eps);
      a[c] = s;
      b[c] = bt[c]! - m32 * s;
    }
    runParts(backend, 'chanAffine', [ptr(backend, x), aP, bP, ptr(backend, y), M, C], parts);
  }
  f32(backend, meanT).set(mean);
  f32(backend, varT).set(variance);
  return [y, meanT, varT];
}

/**
 * VaeBatchNormGradParams: inputs {dy, x, gamma, mean, variance, dmean, dvar},
 * attrs {epsilon}; outputs [dgamma [C], dbeta [C], coef [3, C]] where
 * coef = (a, b, k) such that dx = dy*a + x*b + k.
 */
export function batchNormGradParams(args: Args): TensorInfo[] {
  const backend = asWasmBackend(args.backend);
  const dy = input(args, 'dy');
  const x = input(args, 'x');
  const eps = Number((args.attrs as { epsilon?: number } | undefined)?.epsilon ?? 1e-3);
  const C = x.shape[x.shape.length - 1]!;
  const size = sizeOf(x.shape);
  const M = C === 0 ? 0 : size / C;
  const dgammaT = backend.makeOutput([C], 'float32');
  const dbetaT = backend.makeOutput([C], 'float32');
  const coefT = backend.makeOutput([3, C], 'float32');
  const sdy = new Float64Array(C);
  const sdyx = new Float64Array(C);
  if (M > 0) {
    const parts = partsFor(backend, 2 * size);
    const bytes = parts * 2 * C * 4 + parts * 2 * C * 8 + 64;
    const base = scratch(backend, bytes);
    const accP = base;
    const outP = Math.ceil((accP + parts * 2 * C * 4) / 8) * 8;
    runParts(backend, 'chanDyXSums', [ptr(backend, dy), ptr(backend, x), ptr(backend, input(args, 'mean')), M, C, accP, outP], parts);
    const partial = heapF64(backend, outP, parts * 2 * C);
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < parts; p++) {
        sdy[c]! += partial[(p * 2) * C + c]!;
        sdyx[c]! += partial[(p * 2 + 1) * C + c]!;
      }
    }
  }
  const gamma = f32(backend, input(args, 'gamma'));
  const mean = f32(backend, input(args, 'mean'));
  const variance = f32(backend, input(args, 'variance'));
  const dmean = f32(backend, input(args, 'dmean'));
  const dvar = f32(backend, input(args, 'dvar'));
  const dgamma = f32(backend, dgammaT);
  const dbeta = f32(backend, dbetaT);
  const coef = f32(backend, coefT);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(variance[c]! + eps);
    const g = gamma[c]!;
    dbeta[c] = sdy[c]!;
    dgamma[c] = inv * sdyx[c]!;
    const dvarT = -0.5 * g * inv * inv * inv * sdyx[c]! + dvar[c]!;
    const dmeanT = -g * inv * sdy[c]! + dmean[c]!;
    const b = M > 0 ? (2 * dvarT) / M : 0;
    coef[c] = g * inv;
    coef[C + c] = b;
    coef[2 * C + c] = (M > 0 ? dmeanT / M : 0) - mean[c]! * b;
  }
  return [dgammaT, dbetaT, coefT];
}

/** VaeBatchNormGradX: inputs {dy, x, coef [3, C]}; output dx = dy*a + x*b + k. */
export function batchNormGradX(args: Args): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = input(args, 'dy');
  const x = input(args, 'x');
  const coef = input(args, 'coef');
  const C = x.shape[x.shape.length - 1]!;
  const size = sizeOf(x.shape);
  const dx = backend.makeOutput(x.shape, 'float32');
  if (size === 0) return dx;
  const c0 = ptr(backend, coef);
  runParts(backend, 'chanDyXAffine',
    [ptr(backend, dy), ptr(backend, x), c0, c0 + C * 4, c0 + 2 * C * 4, ptr(backend, dx), size / C, C], partsFor(backend, 3 * size));
  return dx;
}

export function registerBatchNormGradient(): void {
  const config: GradConfig = {
    kernelName: BN_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvar] = dys as Tensor[];
      const [x, gamma, mean, variance] = saved;
      if (dy === undefined || dmean === undefined || dvar === undefined || x === undefined || gamma === undefined
        || mean === undefined || variance === undefined) {
        throw new Error(`${BN_TRAIN} gradient: missing tensors`);
      }
      const epsilon = (attrs as { epsilon?: number } | undefined)?.epsilon ?? 1e-3;
      const [dgamma, dbeta, coef] = ENGINE_RUN(BN_GRAD_PARAMS, { dy, x, gamma, mean, variance, dmean, dvar }, { epsilon }) as Tensor[];
      return {
        x: () => ENGINE_RUN(BN_GRAD_X, { dy, x, coef: coef! }) as Tensor,
        gamma: () => dgamma!,
        beta: () => dbeta!,
      };
    },
  };
  registerGradient(config);
}

// ---------------------------------------------------------------------------
// Routing tfjs-layers' BatchNormalization (training) to the fused kernel.

interface LayerVariableLike { read(): Tensor; write(v: Tensor): void }
interface BatchNormLayerLike {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}
type CallFn = (this: BatchNormLayerLike, inputs: Tensor | Tensor[], kwargs: { training?: boolean } & Record<string, unknown>) => Tensor | Tensor[];

let patched = false;

/** Makes tfjs-layers' BatchNormalization use the fused kernel in training on the wasm backend. */
export function patchBatchNormalizationLayer(canRun: () => boolean): void {
  if (patched) return;
  patched = true;
  const probe = tfl.layers.batchNormalization({});
  const proto = Object.getPrototypeOf(probe) as { call: CallFn };
  const original = proto.call;
  proto.call = function (this: BatchNormLayerLike, inputs, kwargs) {
    const training = kwargs?.training === true;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!training || x === undefined || (Array.isArray(inputs) && inputs.length !== 1) || !isOurBackend() || !canRun()) {
      return original.call(this, inputs, kwargs);
    }
    const ndim = x.shape.length;
    const axis = this.axis >= 0 ? this.axis : this.axis + ndim;
    if (ndim < 2 || axis !== ndim - 1 || this.gamma === null || this.beta === null || x.dtype !== 'float32') {
      return original.call(this, inputs, kwargs);
    }
    const gammaVar = this.gamma;
    const betaVar = this.beta;
    return tidy(() => {
      const [y, mean, variance] = ENGINE_RUN(BN_TRAIN, { x, gamma: gammaVar.read(), beta: betaVar.read() },
        { epsilon: this.epsilon }) as Tensor[];
      // Moving averages, exactly as tfjs-layers updates them.
      const update = (variable: LayerVariableLike, value: Tensor): void => {
        tidy(() => {
          const orig = variable.read();
          variable.write(sub(orig, mul(sub(orig, value), 1 - this.momentum)));
        });
      };
      update(this.movingMean, mean!);
      update(this.movingVariance, variance!);
      return y!;
    });
  };
}
