// Elementwise and reduction kernels for the training step on tfjs-wasm:
// zero-copy Identity/Cast, a channel-reduction fast path for Sum, a bias/same-
// shape fast path for Add, and a fused ReLU gradient.
import { getBackend, getGradient, getKernel, registerGradient, util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { ENGINE_RUN, isOurBackend } from './util.js';
import { asWasmBackend, f32, heapF64, partsFor, ptr, runParts, scratch, sizeOf } from './heap.js';
import type { WasmBackendLike } from './heap.js';

type Args = { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap };

function input(args: Args, name: string): TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`missing input ${name}`);
  return t;
}

// ---------------------------------------------------------------------------
// Identity / Cast: tfjs-wasm copies the data; tensors are immutable, so share it
// (as the cpu backend does). The engine clones every tensor it saves for the
// backward pass, so this removes a full copy per saved tensor.

export function identity(args: Args): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = input(args, 'x');
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function makeCast(stock: KernelConfig): KernelFunc {
  return ((args: Args) => {
    const x = input(args, 'x');
    const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype;
    if (dtype === x.dtype && x.dtype !== 'string') return identity(args);
    return stock.kernelFunc(args as never);
  }) as unknown as KernelFunc;
}

// ---------------------------------------------------------------------------
// Per-channel sums over all leading axes of a channels-last tensor.

/** Sums a [M, C] float32 tensor over M into f64 per channel (JS array). */
export function channelSums(backend: WasmBackendLike, a: TensorInfo, M: number, C: number): Float64Array {
  const parts = partsFor(backend, M * C);
  // scratch: f32 accumulators (C per part) | f64 partial sums (C per part)
  const acc = scratch(backend, C * 4 * parts + C * 8 * parts + 8);
  const out = Math.ceil((acc + C * 4 * parts) / 8) * 8;
  runParts(backend, 'chanSum', [ptr(backend, a), M, C, acc, out], parts);
  const partial = heapF64(backend, out, C * parts);
  const res = new Float64Array(C);
  for (let p = 0; p < parts; p++) for (let c = 0; c < C; c++) res[c]! += partial[p * C + c]!;
  return res;
}

function isLeadingAxes(axes: number[], rank: number): boolean {
  if (axes.length !== rank - 1) return false;
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((v, i) => v === i);
}

export function makeSum(stock: KernelConfig): KernelFunc {
  return ((args: Args) => {
    const backend = asWasmBackend(args.backend);
    const x = input(args, 'x');
    const attrs = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis ?? [], x.shape);
    const size = sizeOf(x.shape);
    if (x.dtype !== 'float32' || rank < 2 || size < 4096 || !isLeadingAxes(axes, rank)) {
      return stock.kernelFunc(args as never);
    }
    const C = x.shape[rank - 1]!;
    const M = size / C;
    const sums = channelSums(backend, x, M, C);
    const outShape = attrs.keepDims === true ? [...x.shape.slice(0, -1).map(() => 1), C] : [C];
    const out = backend.makeOutput(outShape, 'float32');
    f32(backend, out).set(sums);
    return out;
  }) as unknown as KernelFunc;
}

// ---------------------------------------------------------------------------
// Add: same shape, or a channel vector broadcast over a channels-last tensor.

export function makeAdd(stock: KernelConfig): KernelFunc {
  return ((args: Args) => {
    const backend = asWasmBackend(args.backend);
    const a = input(args, 'a');
    const b = input(args, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args as never);
    const na = sizeOf(a.shape);
    const nb = sizeOf(b.shape);
    if (util.arraysEqual(a.shape, b.shape) && na >= 4096) {
      const out = backend.makeOutput(a.shape, 'float32');
      runParts(backend, 'addSame', [ptr(backend, a), ptr(backend, b), ptr(backend, out), na], partsFor(backend, na));
      return out;
    }
    const bias = (big: TensorInfo, small: TensorInfo): TensorInfo | undefined => {
      const rank = big.shape.length;
      if (rank < 2) return undefined;
      const C = big.shape[rank - 1]!;
      const ns = sizeOf(small.shape);
      if (ns !== C || small.shape.length > rank || small.shape[small.shape.length - 1] !== C) return undefined;
      const n = sizeOf(big.shape);
      if (n < 4096) return undefined;
      const out = backend.makeOutput(big.shape, 'float32');
      runParts(backend, 'chanAdd', [ptr(backend, big), ptr(backend, small), ptr(backend, out), n / C, C], partsFor(backend, n));
      return out;
    };
    const r = na >= nb ? bias(a, b) : bias(b, a);
    return r ?? stock.kernelFunc(args as never);
  }) as unknown as KernelFunc;
}

// ---------------------------------------------------------------------------
// ReLU gradient: one pass instead of step + cast + multiply.

export const RELU_GRAD = 'VaeReluGrad';

export function reluGradKernel(args: Args): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = input(args, 'dy');
  const x = input(args, 'x');
  const n = sizeOf(x.shape);
  const out = backend.makeOutput(x.shape, 'float32');
  runParts(backend, 'reluGrad', [ptr(backend, dy), ptr(backend, x), ptr(backend, out), n], partsFor(backend, n));
  return out;
}

/** Re-registers Relu's gradient so that on our backend it runs the fused kernel. */
export function overrideReluGradient(): void {
  const original = getGradient('Relu');
  if (original === undefined) throw new Error('vae-model kernels: no gradient registered for Relu');
  const config: GradConfig = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      if (x === undefined || !isOurBackend() || getKernel(RELU_GRAD, getBackend()) === undefined || x.dtype !== 'float32') {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => ENGINE_RUN(RELU_GRAD, { dy: dy as Tensor, x }) as Tensor };
    },
  };
  registerGradient(config);
}
