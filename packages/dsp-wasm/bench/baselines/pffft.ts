/**
 * Baseline on @echogarden/pffft-wasm 0.4.2, SIMD build (`/simd`, 4-wide).
 *
 * Real-FFT setup (PFFFT_REAL) with `pffft_transform_ordered`, whose real-FFT
 * output is [X0, X(n/2), re1, im1, ..., re(n/2-1), im(n/2-1)]: exactly the
 * half-spectrum layout of common.ts with the Nyquist bin at index 1, so the
 * frame loops read and write the WASM heap directly through Float32Array
 * views of buffers from `pffft_aligned_malloc` (16-byte aligned). The only
 * per-frame boundary traffic is the samples themselves. A work buffer is
 * allocated once and passed explicitly. The backward transform is
 * unnormalised; common.ts folds 1/n into the synthesis window.
 */
import { clipTopDb, privateInstance, type Baseline, type RealFft } from './common.js';

export { clipTopDb };
export type { Baseline };

/** The subset of the Emscripten module (see the package's Makefile EXPORTED_FUNCTIONS) that we use. */
export interface PffftModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, transform: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
  _pffft_simd_size(): number;
}

type PffftFactory = (moduleArg?: object) => Promise<PffftModule>;

const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;

// The package ships no type declarations; a non-literal specifier keeps tsc from
// resolving it (Node resolves it from this file as usual).
const PFFFT_SIMD_SPECIFIER: string = '@echogarden/pffft-wasm/simd';

/**
 * Instantiate the SIMD build. Under Node 20 some Emscripten glue prefers
 * `fetch` (which cannot read file: URLs) whenever it exists, so fetch is hidden
 * while the module loads and restored afterwards, even on failure. (This build
 * checks ENVIRONMENT_IS_NODE first, so it is a safeguard here.)
 */
export async function instantiatePffftSimd(): Promise<PffftModule> {
  const g = globalThis as { fetch?: unknown };
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  const canHide = saved === undefined || saved.configurable === true;
  if (canHide) Object.defineProperty(globalThis, 'fetch', { value: undefined, writable: true, configurable: true });
  try {
    const ns = (await import(PFFFT_SIMD_SPECIFIER)) as { default: PffftFactory };
    const mod = await ns.default();
    if (mod._pffft_simd_size() !== 4) throw new Error('@echogarden/pffft-wasm/simd did not report SIMD (simd_size != 4)');
    return mod;
  } finally {
    if (canHide) {
      if (saved !== undefined) Object.defineProperty(globalThis, 'fetch', saved);
      else delete g.fetch;
    }
  }
}

class PffftReal implements RealFft {
  readonly n: number;
  readonly nyquistIndex = 1;
  readonly halfSpecLength: number;
  readonly invStride = 1;
  readonly invScale: number;
  private readonly mod: PffftModule;
  private setup: number;
  private readonly pIn: number;
  private readonly pSpec: number;
  private readonly pOut: number;
  private readonly pWork: number;
  private heap: Float32Array;
  private vIn: Float32Array;
  private vSpec: Float32Array;
  private vOut: Float32Array;

  constructor(mod: PffftModule, n: number) {
    this.mod = mod;
    this.n = n;
    this.halfSpecLength = n;
    this.invScale = 1 / n;
    this.setup = mod._pffft_new_setup(n, PFFFT_REAL);
    if (this.setup === 0) throw new RangeError(`pffft: unsupported real FFT size ${n} (needs n = 2^a 3^b 5^c, a >= 5)`);
    const bytes = n * 4;
    this.pIn = mod._pffft_aligned_malloc(bytes);
    this.pSpec = mod._pffft_aligned_malloc(bytes);
    this.pOut = mod._pffft_aligned_malloc(bytes);
    this.pWork = mod._pffft_aligned_malloc(bytes);
    if (this.pIn === 0 || this.pSpec === 0 || this.pOut === 0 || this.pWork === 0) throw new Error('pffft: out of memory');
    // Set after all allocations (malloc may grow, and so replace, the heap).
    this.heap = mod.HEAPF32;
    this.vIn = this.view(this.pIn);
    this.vSpec = this.view(this.pSpec);
    this.vOut = this.view(this.pOut);
    this.vIn.fill(0);
  }

  private view(ptr: number): Float32Array {
    return this.heap.subarray(ptr >>> 2, (ptr >>> 2) + this.n);
  }

  /** Re-derive the views if the WASM memory grew (e.g. another plan was allocated in this module). */
  private sync(): void {
    if (this.mod.HEAPF32 !== this.heap) {
      this.heap = this.mod.HEAPF32;
      this.vIn = this.view(this.pIn);
      this.vSpec = this.view(this.pSpec);
      this.vOut = this.view(this.pOut);
    }
  }

  get fwdIn(): Float32Array {
    this.sync();
    return this.vIn;
  }

  get spec(): Float32Array {
    this.sync();
    return this.vSpec;
  }

  get invOut(): Float32Array {
    this.sync();
    return this.vOut;
  }

  forward(): void {
    this.mod._pffft_transform_ordered(this.setup, this.pIn, this.pSpec, this.pWork, PFFFT_FORWARD);
  }

  inverse(): void {
    this.mod._pffft_transform_ordered(this.setup, this.pSpec, this.pOut, this.pWork, PFFFT_BACKWARD);
  }

  dispose(): void {
    if (this.setup === 0) return;
    const m = this.mod;
    m._pffft_destroy_setup(this.setup);
    m._pffft_aligned_free(this.pIn);
    m._pffft_aligned_free(this.pSpec);
    m._pffft_aligned_free(this.pOut);
    m._pffft_aligned_free(this.pWork);
    this.setup = 0;
  }
}

/** Factory for common.ts bound to an instantiated module. */
export function pffftRealFftFactory(mod: PffftModule): (n: number) => RealFft {
  return (n) => new PffftReal(mod, n);
}

/**
 * pffft-wasm (SIMD) baseline. Each baseline gets its own WASM instance, and all
 * of its heap buffers are allocated here, up front. The shared code runs from
 * its own module instance (see `privateInstance`). Geometry defaults to the
 * benchmark's: hop = nFft/2, winLength = nFft.
 */
export async function createPffftBaseline(nFft: number, opts: { hop?: number; winLength?: number } = {}): Promise<Baseline> {
  const mod = await instantiatePffftSimd();
  const common = await privateInstance('pffft');
  return common.createBaseline('pffft-wasm 0.4.2 (simd)', pffftRealFftFactory(mod), nFft, opts);
}
