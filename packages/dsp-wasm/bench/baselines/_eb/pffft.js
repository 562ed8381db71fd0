import { clipTopDb, privateInstance } from "./common.js";
const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;
const PFFFT_SIMD_SPECIFIER = "@echogarden/pffft-wasm/simd";
async function instantiatePffftSimd() {
  const g = globalThis;
  const saved = Object.getOwnPropertyDescriptor(globalThis, "fetch");
  const canHide = saved === void 0 || saved.configurable === true;
  if (canHide) Object.defineProperty(globalThis, "fetch", { value: void 0, writable: true, configurable: true });
  try {
    const ns = await import(PFFFT_SIMD_SPECIFIER);
    const mod = await ns.default();
    if (mod._pffft_simd_size() !== 4) throw new Error("@echogarden/pffft-wasm/simd did not report SIMD (simd_size != 4)");
    return mod;
  } finally {
    if (canHide) {
      if (saved !== void 0) Object.defineProperty(globalThis, "fetch", saved);
      else delete g.fetch;
    }
  }
}
class PffftReal {
  n;
  nyquistIndex = 1;
  halfSpecLength;
  invStride = 1;
  invScale;
  mod;
  setup;
  pIn;
  pSpec;
  pOut;
  pWork;
  heap;
  vIn;
  vSpec;
  vOut;
  constructor(mod, n) {
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
    if (this.pIn === 0 || this.pSpec === 0 || this.pOut === 0 || this.pWork === 0) throw new Error("pffft: out of memory");
    this.heap = mod.HEAPF32;
    this.vIn = this.view(this.pIn);
    this.vSpec = this.view(this.pSpec);
    this.vOut = this.view(this.pOut);
    this.vIn.fill(0);
  }
  view(ptr) {
    return this.heap.subarray(ptr >>> 2, (ptr >>> 2) + this.n);
  }
  /** Re-derive the views if the WASM memory grew (e.g. another plan was allocated in this module). */
  sync() {
    if (this.mod.HEAPF32 !== this.heap) {
      this.heap = this.mod.HEAPF32;
      this.vIn = this.view(this.pIn);
      this.vSpec = this.view(this.pSpec);
      this.vOut = this.view(this.pOut);
    }
  }
  get fwdIn() {
    this.sync();
    return this.vIn;
  }
  get spec() {
    this.sync();
    return this.vSpec;
  }
  get invOut() {
    this.sync();
    return this.vOut;
  }
  forward() {
    this.mod._pffft_transform_ordered(this.setup, this.pIn, this.pSpec, this.pWork, PFFFT_FORWARD);
  }
  inverse() {
    this.mod._pffft_transform_ordered(this.setup, this.pSpec, this.pOut, this.pWork, PFFFT_BACKWARD);
  }
  dispose() {
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
function pffftRealFftFactory(mod) {
  return (n) => new PffftReal(mod, n);
}
async function createPffftBaseline(nFft, opts = {}) {
  const mod = await instantiatePffftSimd();
  const common = await privateInstance("pffft");
  return common.createBaseline("pffft-wasm 0.4.2 (simd)", pffftRealFftFactory(mod), nFft, opts);
}
export {
  clipTopDb,
  createPffftBaseline,
  instantiatePffftSimd,
  pffftRealFftFactory
};
