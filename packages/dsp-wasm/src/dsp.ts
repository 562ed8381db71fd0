import { EMIT, type DspKernels } from './kernels.js';
import { loadKernels, type LoadOptions } from './loader.js';
import type {
  BatchSpectrogramOptions, ComplexSpectrogram, DbOptions, GriffinLimOptions, GriffinLimResult,
  IstftOptions, ResampleOptions, Spectrogram, StftOptions,
} from './types.js';

interface StftConfig {
  nFft: number;
  hop: number;
  center: boolean;
  pad: number;
  padMode: number;
  plan: number;
  window: number;
  nBins: number;
}

function fail(fn: string, message: string): never {
  throw new RangeError(`dsp-wasm ${fn}: ${message}`);
}

function checkInt(fn: string, name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) fail(fn, `${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

function checkSignal(fn: string, x: unknown): asserts x is Float32Array {
  if (!(x instanceof Float32Array)) fail(fn, 'expected a Float32Array signal');
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Number of STFT frames for a signal of n samples. */
export function frameCount(n: number, nFft: number, hop: number, center: boolean): number {
  return center ? 1 + Math.floor(n / hop) : n >= nFft ? 1 + Math.floor((n - nFft) / hop) : 0;
}

/**
 * The DSP engine: one WebAssembly instance with its own memory. Plans (FFT
 * twiddles, windows, resampling filters) are built once per size and kept;
 * every call copies its input in once and its output out once.
 * Create with `await createDsp()`.
 */
export class Dsp {
  readonly kernels: DspKernels;
  /** True when the SIMD build is running. */
  readonly simd: boolean;
  private readonly plans = new Map<number, number>();
  private readonly windows = new Map<string, number>();
  private readonly resamplers = new Map<string, number>();
  private depth = 0;

  constructor(kernels: DspKernels) {
    this.kernels = kernels;
    this.simd = kernels.simdEnabled() === 1;
  }

  // ---- memory -------------------------------------------------------------

  /** Runs fn with scratch memory that is released afterwards. */
  private scope<T>(fn: () => T): T {
    const m = this.kernels.mark();
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      this.kernels.release(m);
    }
  }

  private alloc(bytes: number): number {
    const p = this.kernels.alloc(bytes);
    if (p === 0) throw new RangeError(`dsp-wasm: out of WebAssembly memory (asked for ${bytes} bytes, ${this.kernels.used()} in use)`);
    return p;
  }

  private allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  /** A Float32Array view of module memory (invalidated by the next allocation). */
  heapF32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, ptr, n);
  }

  private put(x: Float32Array): number {
    const p = this.allocF32(x.length);
    this.heapF32(p, x.length).set(x);
    return p;
  }

  private take(ptr: number, n: number): Float32Array {
    return this.heapF32(ptr, n).slice();
  }

  private persistent(what: string): void {
    if (this.depth > 0) throw new Error(`dsp-wasm internal: ${what} created inside a scratch scope`);
  }

  private fftPlan(n: number, fn: string): number {
    let p = this.plans.get(n);
    if (p === undefined) {
      if (!Number.isInteger(n) || n < 16 || n > 65536 || (n & (n - 1)) !== 0) {
        fail(fn, `nFft must be a power of two from 16 to 65536, got ${n}`);
      }
      this.persistent('FFT plan');
      p = this.kernels.fftPlan(n);
      if (p === 0) throw new RangeError('dsp-wasm: out of WebAssembly memory for an FFT plan');
      this.plans.set(n, p);
    }
    return p;
  }

  private hann(nFft: number, winLength: number): number {
    const key = `${nFft}/${winLength}`;
    let p = this.windows.get(key);
    if (p === undefined) {
      this.persistent('window');
      p = this.allocF32(nFft);
      this.kernels.hannWindow(nFft, winLength, p);
      this.windows.set(key, p);
    }
    return p;
  }

  private config(opts: StftOptions, fn: string): StftConfig {
    if (opts === null || typeof opts !== 'object') fail(fn, 'options with nFft are required');
    const nFft = opts.nFft;
    const plan = this.fftPlan(nFft, fn);
    const winLength = opts.winLength ?? nFft;
    checkInt(fn, 'winLength', winLength, 1, nFft);
    const hop = opts.hop ?? Math.floor(winLength / 4);
    checkInt(fn, 'hop', hop, 1, nFft * 64);
    const center = opts.center ?? true;
    const padModeName = opts.padMode ?? 'constant';
    if (padModeName !== 'constant' && padModeName !== 'reflect') fail(fn, `padMode must be 'constant' or 'reflect', got ${String(padModeName)}`);
    return {
      nFft, hop, center, plan,
      pad: center ? nFft >> 1 : 0,
      padMode: padModeName === 'reflect' ? 1 : 0,
      window: this.hann(nFft, winLength),
      nBins: (nFft >> 1) + 1,
    };
  }

  /** Copies x into scratch memory with the centre padding; returns the padded pointer. */
  private padded(x: Float32Array, c: StftConfig, fn: string): number {
    if (c.pad === 0) return this.put(x);
    // One copy: the signal goes straight into the middle of the padded buffer.
    const out = this.allocF32(x.length + 2 * c.pad);
    const mid = out + 4 * c.pad;
    this.heapF32(mid, x.length).set(x);
    if (this.kernels.padSignal(mid, x.length, c.pad, c.padMode, out) !== 0) {
      fail(fn, `reflect padding needs more than nFft / 2 = ${c.pad} samples, got ${x.length}`);
    }
    return out;
  }

  private frames(x: Float32Array, c: StftConfig, fn: string): number {
    const nFrames = frameCount(x.length, c.nFft, c.hop, c.center);
    if (nFrames < 1) fail(fn, `signal of ${x.length} samples is shorter than nFft = ${c.nFft} (center: false)`);
    return nFrames;
  }

  // ---- FFT ----------------------------------------------------------------

  /** numpy.fft.rfft of a power-of-two-length signal: N/2 + 1 bins. */
  rfft(x: Float32Array): { re: Float32Array; im: Float32Array } {
    checkSignal('rfft', x);
    const plan = this.fftPlan(x.length, 'rfft');
    const nb = (x.length >> 1) + 1;
    return this.scope(() => {
      const xp = this.put(x);
      const re = this.allocF32(nb), im = this.allocF32(nb);
      this.kernels.rfft(plan, xp, re, im);
      return { re: this.take(re, nb), im: this.take(im, nb) };
    });
  }

  /** numpy.fft.irfft: from N/2 + 1 bins back to N real samples (N = 2 * (bins - 1)). */
  irfft(re: Float32Array, im: Float32Array): Float32Array {
    if (!(re instanceof Float32Array) || !(im instanceof Float32Array) || re.length !== im.length) {
      fail('irfft', 're and im must be Float32Arrays of the same length');
    }
    const n = 2 * (re.length - 1);
    const plan = this.fftPlan(n, 'irfft');
    return this.scope(() => {
      const pr = this.put(re), pi = this.put(im), out = this.allocF32(n);
      this.kernels.irfft(plan, pr, pi, out);
      return this.take(out, n);
    });
  }

  // ---- STFT ---------------------------------------------------------------

  /** Complex STFT (librosa.stft semantics), bin-major planes. */
  stft(x: Float32Array, opts: StftOptions): ComplexSpectrogram {
    checkSignal('stft', x);
    const c = this.config(opts, 'stft');
    const nFrames = this.frames(x, c, 'stft');
    return this.scope(() => {
      const sig = this.padded(x, c, 'stft');
      const n = c.nBins * nFrames;
      const re = this.allocF32(n), im = this.allocF32(n);
      this.kernels.stft(c.plan, sig, c.hop, nFrames, c.window, EMIT.complex, 0, re, im);
      return { re: this.take(re, n), im: this.take(im, n), nBins: c.nBins, nFrames };
    });
  }

  /** |STFT|. Pass `out` (nBins * nFrames values) to reuse an array. */
  stftMagnitude(x: Float32Array, opts: StftOptions, out?: Float32Array): Spectrogram {
    return this.stftReal(x, opts, EMIT.magnitude, 0, 'stftMagnitude', undefined, out);
  }

  /** |STFT|^2. Pass `out` to reuse an array. */
  stftPower(x: Float32Array, opts: StftOptions, out?: Float32Array): Spectrogram {
    return this.stftReal(x, opts, EMIT.power, 0, 'stftPower', undefined, out);
  }

  /** amplitudeToDb(|STFT|), fused: no magnitude array is materialised. Pass `out` to reuse an array. */
  stftDb(x: Float32Array, opts: StftOptions & DbOptions, out?: Float32Array): Spectrogram {
    const amin = this.amin(opts.amin, 'stftDb');
    return this.stftReal(x, opts, EMIT.db, amin, 'stftDb', opts, out);
  }

  private stftReal(x: Float32Array, opts: StftOptions, mode: number, amin: number, fn: string, db: DbOptions | undefined, out: Float32Array | undefined): Spectrogram {
    checkSignal(fn, x);
    const c = this.config(opts, fn);
    const nFrames = this.frames(x, c, fn);
    const n = c.nBins * nFrames;
    if (out !== undefined && (!(out instanceof Float32Array) || out.length !== n)) fail(fn, `out must be a Float32Array of nBins * nFrames = ${n} values`);
    return this.scope(() => {
      const sig = this.padded(x, c, fn);
      const p = this.allocF32(n);
      this.kernels.stft(c.plan, sig, c.hop, nFrames, c.window, mode, amin, p, 0);
      if (db) {
        const needMax = db.ref === 'max' || db.topDb !== null;
        this.finishDb(p, n, needMax ? this.kernels.maxOf(p, n) : 0, amin, db, fn);
      }
      const data = out ?? new Float32Array(n);
      data.set(this.heapF32(p, n));
      return { data, nBins: c.nBins, nFrames };
    });
  }

  /** Inverse STFT (librosa.istft): overlap-add normalised by the window sum-square. */
  istft(spec: ComplexSpectrogram, opts: IstftOptions): Float32Array {
    const fn = 'istft';
    const c = this.config(opts, fn);
    const { nFrames } = spec;
    if (spec.nBins !== c.nBins) fail(fn, `spectrum has ${spec.nBins} bins but nFft = ${c.nFft} needs ${c.nBins}`);
    if (spec.re.length !== c.nBins * nFrames || spec.im.length !== c.nBins * nFrames) fail(fn, 're/im length is not nBins * nFrames');
    const natural = c.hop * (nFrames - 1) + (c.center ? 0 : c.nFft);
    const length = opts.length ?? natural;
    checkInt(fn, 'length', length, 0, 2 ** 28);
    // As librosa: with an explicit length, frames past it are not used.
    const used = opts.length === undefined ? nFrames
      : Math.max(1, Math.min(nFrames, Math.ceil((length + 2 * c.pad) / c.hop)));
    return this.scope(() => {
      const re = this.put(spec.re), im = this.put(spec.im);
      const olaLen = c.nFft + c.hop * (used - 1);
      const ola = this.allocF32(olaLen), inv = this.allocF32(olaLen), out = this.allocF32(Math.max(1, length));
      this.kernels.windowSumSquareInv(c.window, c.nFft, c.hop, used, olaLen, inv);
      this.kernels.istftOverlapAdd(c.plan, re, im, 0, nFrames, used, c.hop, c.window, ola);
      this.kernels.istftFinish(ola, inv, olaLen, c.pad, length, out);
      return this.take(out, length);
    });
  }

  /**
   * Fast Griffin-Lim (librosa.griffinlim): a signal whose STFT magnitude
   * approximates `mag` (bin-major, nFft / 2 + 1 bins).
   */
  griffinLim(mag: Spectrogram, opts: GriffinLimOptions): GriffinLimResult {
    const fn = 'griffinLim';
    const c = this.config(opts, fn);
    const { nFrames } = mag;
    if (mag.nBins !== c.nBins) fail(fn, `magnitude has ${mag.nBins} bins but nFft = ${c.nFft} needs ${c.nBins}`);
    if (mag.data.length !== c.nBins * nFrames) fail(fn, 'data length is not nBins * nFrames');
    const nIter = opts.nIter ?? 32;
    checkInt(fn, 'nIter', nIter, 0, 100000);
    const momentum = opts.momentum ?? 0.99;
    if (!(momentum >= 0) || !Number.isFinite(momentum)) fail(fn, `momentum must be >= 0, got ${momentum}`);
    const init = opts.init ?? 'random';
    if (init !== 'random' && init !== 'zeros') fail(fn, `init must be 'random' or 'zeros', got ${String(init)}`);
    const seed = opts.seed ?? 1;
    checkInt(fn, 'seed', seed, 0, 0xffffffff);
    const length = opts.length ?? c.hop * (nFrames - 1) + (c.center ? 0 : c.nFft);
    if (frameCount(length, c.nFft, c.hop, c.center) !== nFrames) {
      fail(fn, `length ${length} gives ${frameCount(length, c.nFft, c.hop, c.center)} frames, the magnitude has ${nFrames}`);
    }
    return this.scope(() => {
      const m = this.put(mag.data);
      const out = this.allocF32(length);
      const conv = opts.convergence ? this.allocF32(Math.max(1, nIter)) : 0;
      const rc = this.kernels.griffinLim(c.plan, m, nFrames, c.hop, c.window, nIter, momentum, length,
        c.center ? 1 : 0, c.padMode, init === 'zeros' ? 0 : 1, seed >>> 0, 0, 0, out, conv);
      if (rc === -2) throw new RangeError('dsp-wasm griffinLim: out of WebAssembly memory');
      if (rc !== 0) fail(fn, `invalid geometry (length ${length}, ${nFrames} frames)`);
      const result: GriffinLimResult = { signal: this.take(out, length) };
      if (conv) result.convergence = this.take(conv, nIter);
      return result;
    });
  }

  // ---- dB -------------------------------------------------------------------

  private amin(v: number | undefined, fn: string): number {
    const amin = v ?? 1e-5;
    if (!(amin > 0) || !Number.isFinite(amin)) fail(fn, `amin must be > 0, got ${amin}`);
    return amin;
  }

  /** Applies ref and top_db to raw dB values (ref 1) in place. */
  private finishDb(p: number, n: number, rawMax: number, amin: number, o: DbOptions, fn: string): void {
    const ref = o.ref ?? 1;
    let refDb: number;
    if (ref === 'max') refDb = rawMax;
    else {
      if (!(ref > 0) || !Number.isFinite(ref)) fail(fn, `ref must be > 0 or 'max', got ${ref}`);
      refDb = 20 * Math.log10(Math.max(amin, ref));
    }
    const topDb = o.topDb === undefined ? 80 : o.topDb;
    if (topDb !== null && !(topDb >= 0)) fail(fn, `topDb must be >= 0 or null, got ${topDb}`);
    const floor = topDb === null ? -Infinity : rawMax - refDb - topDb;
    if (refDb !== 0 || topDb !== null) this.kernels.shiftAndFloor(p, n, refDb, floor);
  }

  /** librosa.amplitude_to_db: 20 log10(max(amin, x) / ref), clipped at max - topDb. */
  amplitudeToDb(x: Float32Array, opts: DbOptions = {}): Float32Array {
    checkSignal('amplitudeToDb', x);
    const amin = this.amin(opts.amin, 'amplitudeToDb');
    return this.scope(() => {
      const p = this.put(x);
      const rawMax = this.kernels.amplitudeToDbRaw(p, x.length, amin, p);
      this.finishDb(p, x.length, rawMax, amin, opts, 'amplitudeToDb');
      return this.take(p, x.length);
    });
  }

  /** librosa.db_to_amplitude: ref * 10^(x / 20). */
  dbToAmplitude(x: Float32Array, opts: { ref?: number } = {}): Float32Array {
    checkSignal('dbToAmplitude', x);
    const ref = opts.ref ?? 1;
    return this.scope(() => {
      const p = this.put(x);
      this.kernels.dbToAmplitude(p, x.length, ref, p);
      return this.take(p, x.length);
    });
  }

  /** Maps x to [0, 1] with (x - min) / (max - min); all zeros when max == min. */
  normalizeMinMax(x: Float32Array, range?: { min: number; max: number }): { data: Float32Array; min: number; max: number } {
    checkSignal('normalizeMinMax', x);
    return this.scope(() => {
      const p = this.put(x);
      let min: number, max: number;
      if (range) ({ min, max } = range);
      else {
        max = this.kernels.maxOf(p, x.length);
        this.kernels.affine(p, x.length, 0, -1);
        min = -this.kernels.maxOf(p, x.length);
        this.kernels.affine(p, x.length, 0, -1);
      }
      this.kernels.affine(p, x.length, min, max > min ? 1 / (max - min) : 0);
      return { data: this.take(p, x.length), min, max };
    });
  }

  // ---- resampling -----------------------------------------------------------

  private resampler(up: number, down: number, zeros: number, beta: number): number {
    const key = `${up}/${down}/${zeros}/${beta}`;
    let p = this.resamplers.get(key);
    if (p === undefined) {
      this.persistent('resampling plan');
      p = this.kernels.resamplePlan(up, down, zeros, beta);
      if (p === 0) throw new RangeError('dsp-wasm resample: out of WebAssembly memory for the filter');
      this.resamplers.set(key, p);
    }
    return p;
  }

  /**
   * Resamples from `fromRate` to `toRate` (integers) with scipy's
   * resample_poly design: output length ceil(n * to / from).
   */
  resample(x: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Float32Array {
    checkSignal('resample', x);
    checkInt('resample', 'fromRate', fromRate, 1, 10_000_000);
    checkInt('resample', 'toRate', toRate, 1, 10_000_000);
    const g = gcd(fromRate, toRate);
    const up = toRate / g, down = fromRate / g;
    if (up === 1 && down === 1) return x.slice();
    if (up * down > 1_000_000) fail('resample', `rates ${fromRate} -> ${toRate} reduce to ${up}/${down}: too many filter phases`);
    const zeros = opts.zeros ?? 10, beta = opts.beta ?? 5;
    checkInt('resample', 'zeros', zeros, 1, 1000);
    const plan = this.resampler(up, down, zeros, beta);
    return this.scope(() => {
      const p = this.put(x);
      const n = this.kernels.resampleLength(plan, x.length);
      const out = this.allocF32(Math.max(1, n));
      if (this.kernels.resample(plan, p, x.length, out) !== 0) throw new RangeError('dsp-wasm resample: out of WebAssembly memory');
      return this.take(out, n);
    });
  }

  // ---- batches --------------------------------------------------------------

  /**
   * Log-magnitude spectrograms of many clips in one pass: each signal is
   * zero-padded or cropped to `length`, transformed, converted to dB (ref,
   * amin, topDb) and, with `normalize`, mapped to [0, 1] per clip. Writes
   * clip i at out[i * nBins * nFrames] (bin-major), reusing one set of
   * buffers, and returns out plus the shape.
   */
  spectrogramBatch(signals: readonly Float32Array[], opts: BatchSpectrogramOptions, out?: Float32Array):
    { data: Float32Array; nBins: number; nFrames: number; ranges: Float32Array } {
    const fn = 'spectrogramBatch';
    const c = this.config(opts, fn);
    checkInt(fn, 'length', opts.length, 1, 2 ** 28);
    const amin = this.amin(opts.amin, fn);
    const L = opts.length;
    const nFrames = frameCount(L, c.nFft, c.hop, c.center);
    if (nFrames < 1) fail(fn, `length ${L} is shorter than nFft = ${c.nFft}`);
    const per = c.nBins * nFrames;
    const data = out ?? new Float32Array(per * signals.length);
    if (data.length < per * signals.length) fail(fn, `out holds ${data.length} values, ${per * signals.length} needed`);
    const ranges = new Float32Array(2 * signals.length);
    this.scope(() => {
      const raw = this.allocF32(L);
      const sig = c.pad ? this.allocF32(L + 2 * c.pad) : raw;
      const spec = this.allocF32(per);
      signals.forEach((x, i) => {
        checkSignal(fn, x);
        const n = Math.min(L, x.length);
        const heap = this.heapF32(raw, L);
        heap.set(n === x.length ? x : x.subarray(0, n));
        if (n < L) heap.fill(0, n);
        if (c.pad && this.kernels.padSignal(raw, L, c.pad, c.padMode, sig) !== 0) {
          fail(fn, `signal ${i}: reflect padding needs more than ${c.pad} samples`);
        }
        this.kernels.stft(c.plan, sig, c.hop, nFrames, c.window, EMIT.db, amin, spec, 0);
        const rawMax = this.kernels.maxOf(spec, per);
        this.finishDb(spec, per, rawMax, amin, opts, fn);
        let lo = 0, hi = 0;
        if (opts.normalize) {
          const refDb = opts.ref === 'max' ? rawMax : 20 * Math.log10(Math.max(amin, opts.ref ?? 1));
          hi = rawMax - refDb;
          const topDb = opts.topDb === undefined ? 80 : opts.topDb;
          if (topDb !== null) lo = hi - topDb;
          else {
            this.kernels.affine(spec, per, 0, -1);
            lo = -this.kernels.maxOf(spec, per);
            this.kernels.affine(spec, per, 0, -1);
          }
          this.kernels.affine(spec, per, lo, hi > lo ? 1 / (hi - lo) : 0);
        }
        ranges[2 * i] = lo;
        ranges[2 * i + 1] = hi;
        data.set(this.heapF32(spec, per), i * per);
      });
    });
    return { data, nBins: c.nBins, nFrames, ranges };
  }
}

/** Loads the WebAssembly module (SIMD when supported) and returns a ready engine. */
export async function createDsp(options: LoadOptions = {}): Promise<Dsp> {
  return new Dsp(await loadKernels(options));
}
