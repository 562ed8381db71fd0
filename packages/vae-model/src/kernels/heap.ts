// Access to the tfjs-wasm heap and to our AssemblyScript kernels, which are
// instantiated on the backend's own memory (so they read and write tensors in
// place, with no copies between modules).
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './wasm-binaries.generated.js';
import { createKernelPool, CTL_BYTES } from './pool.js';
import type { KernelPool } from './pool.js';

/** Exports of assembly/index.ts. Pointers are byte offsets into the tfjs-wasm heap. */
export interface KernelExports {
  chanSum(a: number, M: number, C: number, acc: number, out: number, part: number, parts: number): void;
  chanMoments(x: number, shift: number, M: number, C: number, acc: number, out: number, part: number, parts: number): void;
  chanDyXSums(dy: number, x: number, mean: number, M: number, C: number, acc: number, out: number, part: number, parts: number): void;
  chanAffine(x: number, a: number, b: number, y: number, M: number, C: number, part: number, parts: number): void;
  chanAdd(x: number, b: number, y: number, M: number, C: number, part: number, parts: number): void;
  chanDyXAffine(dy: number, x: number, a: number, b: number, k: number, dx: number, M: number, C: number, part: number, parts: number): void;
  reluGrad(dy: number, x: number, dx: number, n: number, part: number, parts: number): void;
  addSame(a: number, b: number, y: number, n: number, part: number, parts: number): void;
  bpfScratchBytes(K: number, Co: number): number;
  bpfGemm(x: number, dy: number, outBase: number, scratchBase: number, N: number, H: number, W: number, Ci: number,
    OH: number, OW: number, Co: number, KH: number, KW: number, sh: number, sw: number, pt: number, pl: number,
    part: number, parts: number): void;
  bpfGemmRows(x: number, dy: number, out: number, scratchBase: number, N: number, H: number, W: number, Ci: number,
    OH: number, OW: number, Co: number, KH: number, KW: number, sh: number, sw: number, pt: number, pl: number,
    part: number, parts: number): void;
  bpfReduce(partials: number, parts: number, dW: number, K: number, Co: number): void;
  transposeNPCtoCPN(src: number, dst: number, N: number, H: number, W: number, C: number, H2: number, W2: number): void;
  transposeNPCtoPNC(src: number, dst: number, N: number, P: number, C: number): void;
  scatterPhase(src: number, dst: number, N: number, Q: number, J: number, C: number,
    OH: number, OW: number, sy: number, sx: number, ry: number, rx: number): void;
  conv1In(x: number, w: number, bias: number, y: number, N: number, H: number, W: number, OH: number, OW: number, C: number,
    KH: number, KW: number, sh: number, sw: number, pt: number, pl: number, relu: number, part: number, parts: number): void;
  conv1Out(dy: number, w: number, dx: number, scratchBase: number, N: number, H: number, W: number, OH: number, OW: number,
    C: number, KH: number, KW: number, sh: number, sw: number, pt: number, pl: number, part: number, parts: number): void;
  conv1OutScratchBytes(W: number): number;
  bpf1(x: number, dy: number, partialBase: number, N: number, H: number, W: number, OH: number, OW: number, C: number,
    KH: number, KW: number, sh: number, sw: number, pt: number, pl: number, part: number, parts: number): void;
  bpf1Reduce(partialBase: number, parts: number, dW: number, K: number): void;
}

/** The parts of the emscripten module behind BackendWasm that we use. */
interface EmscriptenHeapModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

interface TensorData { memoryOffset: number; shape: number[]; dtype: DataType }

/** The tfjs-wasm backend as our kernels see it (its public surface plus internals we rely on). */
export interface WasmBackendLike {
  wasm: EmscriptenHeapModule;
  dataIdMap: { get(dataId: object): TensorData | undefined; has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  numDataIds(): number;
  incRef(dataId: object): void;
}

export function asWasmBackend(backend: unknown): WasmBackendLike {
  return backend as WasmBackendLike;
}

export function wasmMemoryOf(backend: WasmBackendLike | BackendWasm): WebAssembly.Memory {
  const mod = (backend as WasmBackendLike).wasm;
  const memory = mod.wasmMemory ?? mod.asm?.memory;
  if (memory === undefined) throw new Error('vae-model kernels: cannot find the tfjs-wasm memory');
  return memory;
}

export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const compiled = new Map<boolean, WebAssembly.Module>();
const instances = new WeakMap<object, KernelExports>();

function moduleBytes(shared: boolean): Uint8Array {
  return decodeBase64(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_PLAIN);
}

const pools = new WeakMap<object, KernelPool>();

/**
 * Compiles and instantiates the kernels for a backend (async: fine on a browser
 * main thread) and, on a shared heap with threads > 1, starts helper threads.
 */
export async function prepareKernels(backend: WasmBackendLike, threads = 1): Promise<KernelExports> {
  const memory = wasmMemoryOf(backend);
  const shared = isSharedMemory(memory);
  let mod = compiled.get(shared);
  if (mod === undefined) {
    mod = await WebAssembly.compile(moduleBytes(shared) as BufferSource);
    compiled.set(shared, mod);
  }
  let exp = instances.get(backend);
  if (exp === undefined) {
    const instance = await WebAssembly.instantiate(mod, { env: { memory } });
    exp = instance.exports as unknown as KernelExports;
    instances.set(backend, exp);
  }
  if (shared && threads > 1 && !pools.has(backend)) {
    const ctl = backend.wasm._malloc(CTL_BYTES) >>> 0;
    pools.set(backend, await createKernelPool(mod, memory, PART_KERNELS, threads, ctl));
  }
  return exp;
}

/** Threads our kernels use on this backend (1 without a pool). */
export function kernelThreads(backend: WasmBackendLike): number {
  return pools.get(backend)?.threads ?? 1;
}

/** Stops the helper threads of a backend (they also stop with the process). */
export function disposeKernelPool(backend: WasmBackendLike): void {
  pools.get(backend)?.dispose();
  pools.delete(backend);
}

let maxParts = Infinity;
/** Caps the threads our kernels use (1 = single-threaded); for benchmarks. */
export function setKernelThreads(n: number): void {
  maxParts = Math.max(1, Math.floor(n));
}

/** The kernels bound to this backend's heap (instantiated synchronously on first use if needed). */
export function kernelsFor(backend: WasmBackendLike): KernelExports {
  const existing = instances.get(backend);
  if (existing !== undefined) return existing;
  const memory = wasmMemoryOf(backend);
  const shared = isSharedMemory(memory);
  let mod = compiled.get(shared);
  if (mod === undefined) {
    mod = new WebAssembly.Module(moduleBytes(shared) as BufferSource);
    compiled.set(shared, mod);
  }
  const instance = new WebAssembly.Instance(mod, { env: { memory } });
  const exp = instance.exports as unknown as KernelExports;
  instances.set(backend, exp);
  return exp;
}

/** Byte offset of a tensor's data in the heap. */
export function ptr(backend: WasmBackendLike, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('vae-model kernels: tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** A fresh Float32Array view of a tensor (re-create after any allocation: the heap may grow). */
export function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  const size = t.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(wasmMemoryOf(backend).buffer, ptr(backend, t), size);
}

export function dispose(backend: WasmBackendLike, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/**
 * Scratch memory on the heap, reused across kernel calls (grown on demand).
 * Valid until the next `scratch()` call on the same backend.
 */
const scratchBufs = new WeakMap<object, { ptr: number; bytes: number }>();
export function scratch(backend: WasmBackendLike, bytes: number): number {
  const need = Math.max(64, Math.ceil(bytes / 64) * 64);
  let s = scratchBufs.get(backend);
  if (s === undefined || s.bytes < need) {
    if (s !== undefined) backend.wasm._free(s.ptr);
    const p = backend.wasm._malloc(need) >>> 0;
    if (p === 0) throw new Error('vae-model kernels: out of wasm memory for scratch');
    s = { ptr: p, bytes: need };
    scratchBufs.set(backend, s);
  }
  return s.ptr;
}

/** Float64 view of heap memory (re-create after allocations). */
export function heapF64(backend: WasmBackendLike, p: number, n: number): Float64Array {
  return new Float64Array(wasmMemoryOf(backend).buffer, p, n);
}

/** Float32 view of heap memory (re-create after allocations). */
export function heapF32(backend: WasmBackendLike, p: number, n: number): Float32Array {
  return new Float32Array(wasmMemoryOf(backend).buffer, p, n);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Exports that take trailing (part, parts) arguments and can be split across threads. */
export const PART_KERNELS = ['chanSum', 'chanMoments', 'chanDyXSums', 'chanAffine', 'chanAdd', 'chanDyXAffine',
  'reluGrad', 'addSame', 'bpfGemm', 'bpfGemmRows', 'conv1In', 'conv1Out', 'bpf1'] as const;
export type PartKernel = typeof PART_KERNELS[number];

/** Below this much work (elements or multiply-adds) a call is not split. */
let splitMinWork = 1 << 16;

/**
 * Number of parts to split a kernel call into: the pool's thread count for
 * calls with at least splitMinWork of `work` and at least the kernel's own
 * minimum `kernelMin` (ignored when tests lower splitMinWork to 0), else 1.
 */
export function partsFor(backend: WasmBackendLike, work: number, kernelMin = 0): number {
  const pool = pools.get(backend);
  if (pool === undefined || work < splitMinWork || (splitMinWork > 0 && work < kernelMin)) return 1;
  return Math.min(pool.threads, maxParts);
}

/** Runs `name(...args, part, parts)` for part = 0 .. parts-1, on the pool's threads. */
export function runParts(backend: WasmBackendLike, name: PartKernel, args: number[], parts: number): void {
  const k = kernelsFor(backend) as unknown as Record<PartKernel, (...a: number[]) => void>;
  const f = k[name];
  const pool = pools.get(backend);
  if (parts <= 1 || pool === undefined) {
    for (let p = 0; p < parts; p++) f(...args, p, parts);
    return;
  }
  pool.run(PART_KERNELS.indexOf(name), args, parts, (p, ps) => f(...args, p, ps));
}

/** Lowers the work threshold for splitting calls across threads (tests use 0 to exercise the split paths). */
export function setKernelSplitMin(work: number): void {
  splitMinWork = work;
}
