// BatchMatMul with a transposed operand (the Dense layers' gradients:
// dW = x^T dy and dx = dy W^T). tfjs-wasm runs those through a slow path
// (40-120 ms for a 9216 x 16 x 64 product, 20-50x its untransposed rate);
// here every product is C = X^T D with the reduction over the rows of X and D,
// which is our conv filter-gradient GEMM (assembly/bpf.ts) with a 1x1 kernel:
// A^T B needs no copy, other combinations one SIMD transpose per operand.
import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, dispose, f32, kernelsFor, partsFor, ptr, runParts, scratch } from './heap.js';
import type { WasmBackendLike } from './heap.js';

type Args = { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap };

/** [rows, cols] -> [cols, rows] into a new tensor. */
function transpose2D(backend: WasmBackendLike, t: TensorInfo, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput([cols, rows], 'float32');
  kernelsFor(backend).transposeNPCtoCPN(ptr(backend, t), ptr(backend, out), rows, 1, 1, cols, 1, 1);
  return out;
}

/** C[M, N] = X^T D for X [K, M] and D [K, N] (row-major), into `out`. */
export function gemmTN(backend: WasmBackendLike, X: TensorInfo, D: TensorInfo, out: TensorInfo, K: number, M: number, N: number): void {
  const k = kernelsFor(backend);
  const M4 = Math.ceil(M / 4) * 4;
  const N8 = Math.ceil(N / 8) * 8;
  const parts = partsFor(backend, 2 * K * M * N);
  const partialBytes = M4 * N8 * 4 * parts;
  const base = scratch(backend, partialBytes + k.bpfScratchBytes(M, N) * parts + 64);
  const partials = Math.ceil(base / 16) * 16;
  // bpfGemm's x [P, 1, 1, Ci] = X [K, M], dy [P, Co] = D [K, N], 1x1 kernel, stride 1, no padding.
  runParts(backend, 'bpfGemm', [ptr(backend, X), ptr(backend, D), partials, partials + partialBytes,
    K, 1, 1, M, 1, 1, N, 1, 1, 1, 1, 0, 0], parts);
  k.bpfReduce(partials, parts, ptr(backend, out), M, N);
}

export function makeBatchMatMul(stock: KernelConfig): KernelFunc {
  return ((args: Args) => {
    const backend = asWasmBackend(args.backend);
    const a = args.inputs['a'];
    const b = args.inputs['b'];
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const tA = attrs.transposeA === true;
    const tB = attrs.transposeB === true;
    if (a === undefined || b === undefined || (!tA && !tB) || a.dtype !== 'float32' || b.dtype !== 'float32'
      || a.shape.length < 2 || b.shape.length < 2
      || util.sizeFromShape(a.shape.slice(0, -2)) !== 1 || util.sizeFromShape(b.shape.slice(0, -2)) !== 1) {
      return stock.kernelFunc(args as never);
    }
    const ra = a.shape.length;
    const rb = b.shape.length;
    const aRows = a.shape[ra - 2]!;
    const aCols = a.shape[ra - 1]!;
    const bRows = b.shape[rb - 2]!;
    const bCols = b.shape[rb - 1]!;
    const K = tA ? aRows : aCols;
    const M = tA ? aCols : aRows;
    const N = tB ? bRows : bCols;
    if ((tB ? bCols : bRows) !== K) return stock.kernelFunc(args as never);
    const outer = ra >= rb ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const out = backend.makeOutput([...outer, M, N], 'float32');
    if (M * N === 0) return out;
    if (K === 0) {
      f32(backend, out).fill(0);
      return out;
    }
    const X = tA ? a : transpose2D(backend, a, aRows, aCols); // [K, M]
    const D = tB ? transpose2D(backend, b, bRows, bCols) : b; // [K, N]
    gemmTN(backend, X, D, out, K, M, N);
    if (X !== a) dispose(backend, X);
    if (D !== b) dispose(backend, D);
    return out;
  }) as unknown as KernelFunc;
}
