// Conv2DBackpropFilter and Conv2DBackpropInput for tfjs-wasm (our SIMD GEMM,
// and the backend's XNNPACK forward convolution on sub-pixel phases), plus
// Conv2D / FusedConv2D wrappers: convolutions with a single channel on one
// side (the models' first and last layers) run our direct SIMD kernels
// (assembly/conv1.ts), everything else XNNPACK.
import { backend_util, getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, dispose, f32, kernelsFor, partsFor, ptr, runParts, scratch } from './heap.js';
import type { WasmBackendLike } from './heap.js';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

let stockConv2D: KernelConfig | undefined;
let stockFusedConv2D: KernelConfig | undefined;
/** tfjs-wasm's own Conv2D and FusedConv2D (XNNPACK), which our wrappers fall back to. */
export function setStockConvs(conv: KernelConfig | undefined, fused: KernelConfig | undefined): void {
  stockConv2D = conv;
  stockFusedConv2D = fused;
}

function wasmConv2d(): KernelFunc {
  const k = stockConv2D ?? getKernel('Conv2D', 'wasm');
  if (k === undefined) throw new Error('vae-model kernels: Conv2D is not registered for wasm');
  return k.kernelFunc;
}

/** Forward NHWC conv on the wasm backend (XNNPACK), stride 1, explicit padding. */
export function xnnConv(backend: WasmBackendLike, x: TensorInfo, filter: TensorInfo, pad: ExplicitPad,
  dilations: [number, number] = [1, 1]): TensorInfo {
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined } as unknown as NamedAttrMap;
  return wasmConv2d()({ inputs: { x, filter }, backend: backend as never, attrs }) as TensorInfo;
}

function isNCHW(dataFormat: unknown): boolean {
  return dataFormat === 'NCHW' || dataFormat === 'channelsFirst';
}

// ---------------------------------------------------------------------------
// Conv2DBackpropFilter
//
// Default: our AssemblyScript GEMM (assembly/bpf.ts): dW = im2col(x)^T dy with
// the pixels in cache-sized chunks, split across threads by pixel range.
//
// Alternative ('xnnpack', kept for comparison):
// dW[kh,kw,ci,co] = sum_{n,oy,ox} xpad[n, oy*sh+kh, ox*sw+kw, ci] * dy[n,oy,ox,co]
//
// is itself a forward convolution in which the batch and channel roles move:
// input  xT[ci, h, w, n]       (batch = Ci, channels = N)
// filter dyT[oy, ox, n, co]    (a filter of size OH x OW over N channels)
// with dilation (sh, sw), stride 1 and the forward pass' padding; its output
// is [Ci, KH, KW, Co], which a small transpose turns into [KH, KW, Ci, Co].
// XNNPACK runs this at close to its forward-conv rate; the two transposes are
// cheap SIMD passes.
export function conv2DBackpropFilter(args: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter: missing inputs');
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number]; pad: backend_util.PadInfo['type'] | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  if (isNCHW(attrs.dataFormat)) throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1,
    attrs.pad as 'same', attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
    strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Padding after, chosen so that the output is exactly KH x KW. If negative,
  // the last rows/columns of x are never read: crop them instead.
  let pb = KH + (OH - 1) * sh - H - pt;
  let pr = KW + (OW - 1) * sw - W - pl;
  const H2 = pb < 0 ? H + pb : H;
  const W2 = pr < 0 ? W + pr : W;
  pb = Math.max(pb, 0);
  pr = Math.max(pr, 0);
  const k = kernelsFor(backend);
  const out = backend.makeOutput([KH, KW, Ci, Co], 'float32');
  if (N === 0 || OH === 0 || OW === 0) {
    f32(backend, out).fill(0);
    return out;
  }
  if (Ci === 1) {
    // One input channel (first encoder conv, last decoder conv): a SIMD pass over dy.
    const K = KH * KW * Co;
    const parts = partsFor(backend, 2 * N * OH * OW * K);
    const partials = Math.ceil(scratch(backend, K * 8 * parts + 64) / 8) * 8;
    runParts(backend, 'bpf1', [ptr(backend, x), ptr(backend, dy), partials, N, H, W, OH, OW, Co, KH, KW, sh, sw, pt, pl], parts);
    k.bpf1Reduce(partials, parts, ptr(backend, out), K);
    return out;
  }
  if (bpfMethod === 'gemm') {
    const K = KH * KW * Ci;
    const K4 = Math.ceil(K / 4) * 4;
    const Co8 = Math.ceil(Co / 8) * 8;
    const parts = partsFor(backend, 2 * N * OH * OW * K * Co, BPF_SPLIT_MIN_FLOP);
    const P = N * OH * OW;
    if (parts === 1 || P <= 4 * K4) {
      // Split by rows of dW (few pixels for the filter's size): every part runs
      // over all pixels for its own rows, so there are no partial sums to add,
      // at the price of packing dy in every part. A [K4, Co8] result with dW's
      // layout (K a multiple of 4, Co of 8) is dW itself; otherwise it is cropped.
      const direct = K4 === K && Co8 === Co;
      const resultBytes = direct ? 0 : K4 * Co8 * 4;
      const base = Math.ceil(scratch(backend, resultBytes + k.bpfScratchBytes(K, Co) * parts + 64) / 16) * 16;
      const result = direct ? ptr(backend, out) : base;
      runParts(backend, 'bpfGemmRows', [ptr(backend, x), ptr(backend, dy), result, base + resultBytes,
        N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl], parts);
      if (!direct) k.bpfReduce(result, 1, ptr(backend, out), K, Co);
      return out;
    }
    // Split by pixels (many pixels per filter element): per-part partial sums, then one reduction.
    const partialBytes = K4 * Co8 * 4 * parts;
    const base = scratch(backend, partialBytes + k.bpfScratchBytes(K, Co) * parts + 64);
    const partials = Math.ceil(base / 16) * 16;
    runParts(backend, 'bpfGemm', [ptr(backend, x), ptr(backend, dy), partials, partials + partialBytes,
      N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl], parts);
    k.bpfReduce(partials, parts, ptr(backend, out), K, Co);
    return out;
  }
  const xT = backend.makeOutput([Ci, H2, W2, N], 'float32');
  const dyT = backend.makeOutput([OH, OW, N, Co], 'float32');
  k.transposeNPCtoCPN(ptr(backend, x), ptr(backend, xT), N, H, W, Ci, H2, W2);
  k.transposeNPCtoPNC(ptr(backend, dy), ptr(backend, dyT), N, OH * OW, Co);
  const r = xnnConv(backend, xT, dyT, [[0, 0], [pt, pb], [pl, pr], [0, 0]], [sh, sw]);
  dispose(backend, xT, dyT);
  // r is [Ci, KH, KW, Co] -> [KH, KW, Ci, Co]
  k.transposeNPCtoPNC(ptr(backend, r), ptr(backend, out), Ci, KH * KW, Co);
  dispose(backend, r);
  return out;
}

// ---------------------------------------------------------------------------
// Conv2DBackpropInput (also the forward pass of every Conv2DTranspose)
//
// dx[i] = sum_{o,k : o*s + k - p = i} dy[o] W[k]. Split dx by phase r = i mod s
// (sub-pixel decomposition): with k0 = (r + p) mod s, the taps k = k0 + s*t,
// t < T, contribute, and dx[s*q + r] = sum_t dy[q + c - t] W[k0 + s*t] with
// c = (r + p - k0) / s. That is a stride-1 forward conv of dy with the flipped
// sub-kernel, padded by T-1-c before. Each phase is one XNNPACK conv doing
// exactly the useful multiply-adds (no zero insertion); a SIMD pass scatters
// the phases into dx. Stride 1 is a single conv with the flipped kernel.

interface Phase1D { r: number; k0: number; T: number; c: number; Q: number; before: number; after: number }

function phases1D(inSize: number, outSize: number, K: number, s: number, p: number): Phase1D[] {
  const res: Phase1D[] = [];
  for (let r = 0; r < s; r++) {
    const k0 = (((r + p) % s) + s) % s;
    const T = k0 < K ? Math.ceil((K - k0) / s) : 0;
    const c = (r + p - k0) / s;
    const Q = r < inSize ? Math.ceil((inSize - r) / s) : 0;
    const before = T - 1 - c;
    const after = Q - 1 + c - (outSize - 1);
    res.push({ r, k0, T, c, Q, before, after });
  }
  return res;
}

/**
 * The flipped sub-kernels [Ty, Tx, Co, Ci] of each phase (key ry * sw + rx)
 * of a filter [KH, KW, Ci, Co]: Wp[u, v, co, ci] = W[a.k0 + sh*(Ty-1-u),
 * b.k0 + sw*(Tx-1-v), ci, co].
 *
 * Kept for as long as the filter's data lives: tfjs-wasm keeps the XNNPACK
 * operator (the packed weights) of every filter tensor it has seen, so a
 * sub-kernel used again is not repacked. Within a training step the same
 * weights meet many Conv2DBackpropInput calls (every micro-batch, every
 * Conv2DTranspose forward), as the forward conv's filter does; the new
 * weights of the next step are a new tensor, and disposing the old one frees
 * its sub-kernels (see phaseCacheOf).
 */
function phaseKernels(backend: WasmBackendLike, filter: TensorInfo, py: Phase1D[], px: Phase1D[], sh: number, sw: number): Map<number, TensorInfo> {
  const cache = phaseCacheOf(backend);
  const key = `${sh},${sw},${py.map((a) => `${a.k0}:${a.T}`).join(',')};${px.map((b) => `${b.k0}:${b.T}`).join(',')}`;
  const hit = cache.get(filter.dataId)?.get(key);
  if (hit !== undefined) return hit;
  const [, KW, Ci, Co] = filter.shape as [number, number, number, number];
  const Wsrc = f32(backend, filter).slice(); // a copy: the allocations below may move the heap
  const out = new Map<number, TensorInfo>();
  for (const a of py) {
    for (const b of px) {
      if (a.T === 0 || b.T === 0) continue;
      const Ty = a.T;
      const Tx = b.T;
      const wp = backend.makeOutput([Ty, Tx, Co, Ci], 'float32');
      const dst = f32(backend, wp);
      for (let u = 0; u < Ty; u++) {
        const kh = a.k0 + sh * (Ty - 1 - u);
        for (let v = 0; v < Tx; v++) {
          const kw = b.k0 + sw * (Tx - 1 - v);
          const srcBase = (kh * KW + kw) * Ci * Co;
          const dstBase = (u * Tx + v) * Co * Ci;
          for (let ci = 0; ci < Ci; ci++) {
            const s0 = srcBase + ci * Co;
            for (let co = 0; co < Co; co++) dst[dstBase + co * Ci + ci] = Wsrc[s0 + co]!;
          }
        }
      }
      out.set(a.r * sw + b.r, wp);
    }
  }
  let byKey = cache.get(filter.dataId);
  if (byKey === undefined) cache.set(filter.dataId, (byKey = new Map()));
  byKey.set(key, out);
  return out;
}

type PhaseCache = Map<object, Map<string, Map<number, TensorInfo>>>;
const phaseCaches = new WeakMap<object, PhaseCache>();

/** The backend's phase sub-kernel cache; the first call makes disposing a filter also free its sub-kernels. */
function phaseCacheOf(backend: WasmBackendLike): PhaseCache {
  let cache = phaseCaches.get(backend);
  if (cache !== undefined) return cache;
  const c: PhaseCache = new Map();
  cache = c;
  phaseCaches.set(backend, c);
  const disposeData = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean): boolean => {
    const freed = disposeData(dataId, force);
    const entry = freed ? c.get(dataId) : undefined;
    if (entry !== undefined && !backend.dataIdMap.has(dataId)) {
      c.delete(dataId);
      for (const kernels of entry.values()) for (const wp of kernels.values()) disposeData(wp.dataId, true);
    }
    return freed;
  };
  return cache;
}

/**
 * Conv2DBackpropFilter splits across the kernel threads from this many FLOPs
 * on: below it the hand-off costs more than the second thread saves
 * (measured on 2 cores, split by rows: 8x16x4x32->32, 4.7 MFLOP, 285 us in
 * one part and 555 us in two; 8x32x8x128->64, 75 MFLOP, 3.5 ms / 2.1-2.3 ms).
 */
const BPF_SPLIT_MIN_FLOP = 1 << 23;

/** How Conv2DBackpropFilter runs: our GEMM kernel (default) or XNNPACK (for comparison). */
export type BpfMethod = 'gemm' | 'xnnpack';
let bpfMethod: BpfMethod = 'gemm';
export function setBackpropFilterMethod(m: BpfMethod): void {
  bpfMethod = m;
}

let stockBackpropInput: KernelConfig | undefined;
const stockSetUp = new WeakSet<object>();
export function setStockBackpropInput(config: KernelConfig | undefined): void {
  stockBackpropInput = config;
}

export function conv2DBackpropInput(args: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = args.inputs['dy'];
  const filter = args.inputs['filter'];
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput: missing inputs');
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number]; pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
  };
  const fallback = (): TensorInfo => {
    const stock = stockBackpropInput;
    if (stock === undefined) throw new Error('Conv2DBackpropInput (wasm): unsupported configuration');
    if (stock.setupFunc !== undefined && !stockSetUp.has(backend)) {
      // We unregistered this kernel before the backend was created, so tfjs
      // did not run its setup (the cwrap of the C function).
      stock.setupFunc(backend as never);
      stockSetUp.add(backend);
    }
    return stock.kernelFunc(args as never) as TensorInfo;
  };
  if (isNCHW(attrs.dataFormat)) return fallback();
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1,
    attrs.pad as 'same', attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
    strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW } = info;
  if (Ci === 1 && info.dilationHeight === 1 && info.dilationWidth === 1) {
    // Gradient onto one channel (the last decoder conv's forward pass): a SIMD gather.
    const dx = backend.makeOutput([N, H, W, 1], 'float32');
    if (N * H * W === 0) return dx;
    if (OH === 0 || OW === 0) {
      f32(backend, dx).fill(0);
      return dx;
    }
    const k1 = kernelsFor(backend);
    const parts = partsFor(backend, 2 * N * OH * OW * KH * KW * Co);
    const sc = Math.ceil(scratch(backend, k1.conv1OutScratchBytes(W) * parts + 64) / 16) * 16;
    runParts(backend, 'conv1Out', [ptr(backend, dy), ptr(backend, filter), ptr(backend, dx), sc, N, H, W, OH, OW, Co, KH, KW,
      sh, sw, info.padInfo.top, info.padInfo.left], parts);
    return dx;
  }
  const py = phases1D(H, OH, KH, sh, info.padInfo.top);
  const px = phases1D(W, OW, KW, sw, info.padInfo.left);
  if (py.some((p) => p.before < 0 || p.after < 0) || px.some((p) => p.before < 0 || p.after < 0)) return fallback();
  const k = kernelsFor(backend);
  const single = sh === 1 && sw === 1;
  let dx: TensorInfo | undefined = single ? undefined : backend.makeOutput([N, H, W, Ci], 'float32');
  let needZero = false;
  for (const a of py) for (const b of px) if ((a.T === 0 || b.T === 0) && a.Q > 0 && b.Q > 0) needZero = true;
  if (dx !== undefined && needZero) f32(backend, dx).fill(0);
  const kernels = phaseKernels(backend, filter, py, px, sh, sw);
  for (const a of py) {
    for (const b of px) {
      if (a.Q === 0 || b.Q === 0 || a.T === 0 || b.T === 0) continue;
      const wp = kernels.get(a.r * sw + b.r)!;
      const ph = xnnConv(backend, dy, wp, [[0, 0], [a.before, a.after], [b.before, b.after], [0, 0]]);
      if (single) {
        dx = ph;
      } else {
        k.scatterPhase(ptr(backend, ph), ptr(backend, dx!), N, a.Q, b.Q, Ci, H, W, sh, sw, a.r, b.r);
        dispose(backend, ph);
      }
    }
  }
  if (dx === undefined) {
    dx = backend.makeOutput([N, H, W, Ci], 'float32');
    f32(backend, dx).fill(0);
  }
  return dx;
}

// ---------------------------------------------------------------------------
// Conv2D and FusedConv2D from one input channel (the first encoder conv, and
// the input gradient of the last decoder conv): a SIMD pass; everything else
// goes to XNNPACK.

type ConvArgs = { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap };

function conv1Forward(args: ConvArgs, fused: boolean): TensorInfo | undefined {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs['x'];
  const filter = args.inputs['filter'];
  const bias = fused ? args.inputs['bias'] : undefined;
  if (x === undefined || filter === undefined || x.shape.length !== 4 || x.shape[3] !== 1) return undefined;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number]; pad: 'same' | 'valid' | number | backend_util.ExplicitPadding; dataFormat?: string;
    dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil'; activation?: string;
  };
  if (isNCHW(attrs.dataFormat)) return undefined;
  const activation = attrs.activation ?? 'linear';
  if (fused && (args.inputs['preluActivationWeights'] !== undefined || (activation !== 'linear' && activation !== 'relu'))) return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== filter.shape[3])) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides,
    attrs.dilations ?? 1, attrs.pad as 'same', attrs.dimRoundingMode, false, 'channelsLast');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: Co,
    strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW } = info;
  const y = backend.makeOutput([N, OH, OW, Co], 'float32');
  if (N * OH * OW * Co === 0) return y;
  const parts = partsFor(backend, 2 * N * OH * OW * KH * KW * Co);
  runParts(backend, 'conv1In', [ptr(backend, x), ptr(backend, filter), bias === undefined ? 0 : ptr(backend, bias), ptr(backend, y),
    N, H, W, OH, OW, Co, KH, KW, sh, sw, info.padInfo.top, info.padInfo.left, activation === 'relu' ? 1 : 0], parts);
  return y;
}

export function conv2D(args: ConvArgs): TensorInfo {
  const r = conv1Forward(args, false);
  if (r !== undefined) return r;
  if (stockConv2D === undefined) throw new Error('vae-model kernels: no stock Conv2D');
  return stockConv2D.kernelFunc(args as never) as TensorInfo;
}

export function fusedConv2D(args: ConvArgs): TensorInfo {
  const r = conv1Forward(args, true);
  if (r !== undefined) return r;
  if (stockFusedConv2D === undefined) throw new Error('vae-model kernels: no stock FusedConv2D');
  return stockFusedConv2D.kernelFunc(args as never) as TensorInfo;
}
