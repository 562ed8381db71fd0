/**
 * FFT-agnostic STFT / dB / Griffin-Lim code shared by the benchmark baselines.
 *
 * Everything here follows librosa 0.10 semantics (see `createStft` and
 * `createGriffinLim`). The only thing a baseline supplies is a `RealFft`
 * adapter around its FFT library, so the baselines differ in the FFT and in
 * nothing else.
 *
 * Performance notes (this is benchmark code, so they matter):
 * - no allocation per frame or per call: buffers live in the closures and are
 *   reallocated only when the clip geometry changes;
 * - the adapter exposes its own input/output buffers (for a WASM FFT these are
 *   views on its aligned heap), and the frame loops read and write them in the
 *   library's native half-spectrum layout, so nothing is copied across the
 *   JS/WASM boundary beyond the samples themselves.
 */

export type FloatArray = Float32Array | Float64Array;

/**
 * A planned real FFT of fixed size `n` (n even) with its own buffers.
 *
 * Half-spectrum layout of `spec` (bins k = 0..n/2):
 * - bin 0 (real) at index 0,
 * - Nyquist bin n/2 (real) at index `nyquistIndex`,
 * - bin k for 1 <= k < n/2 at indices 2k (re) and 2k+1 (im).
 * The entries `[0, halfSpecLength)` hold the whole half spectrum; any entry in
 * that range not listed above (e.g. the zero imaginary parts of bins 0 and n/2
 * in an interleaved layout) must be written as 0 by callers and ignored by
 * `inverse()` (numpy's irfft ignores those imaginary parts too).
 *
 * Buffer getters may return a new view after WASM memory growth, so callers
 * fetch them at the start of each top-level operation, never at construction.
 */
export interface RealFft {
  readonly n: number;
  readonly nyquistIndex: number;
  readonly halfSpecLength: number;
  /** Input of `forward()`: n real samples. */
  readonly fwdIn: FloatArray;
  /** Output of `forward()` and input of `inverse()` (layout above). */
  readonly spec: FloatArray;
  /** Output of `inverse()`: sample j is `invOut[j * invStride]`. */
  readonly invOut: FloatArray;
  readonly invStride: number;
  /** Factor that turns `invOut` into numpy's irfft (1/n when the library does not normalise). */
  readonly invScale: number;
  /** fwdIn -> spec (unnormalised forward DFT, e^{-i...} sign convention, like numpy). */
  forward(): void;
  /** spec -> invOut. May clobber `spec`. */
  inverse(): void;
  dispose(): void;
}

export type RealFftFactory = (n: number) => RealFft;

export interface StftGeometry {
  nFft: number;
  hop: number;
  /** Defaults to nFft. The window is zero-padded, centred, to nFft. */
  winLength?: number;
}

export interface Stft {
  readonly nFft: number;
  readonly hop: number;
  readonly winLength: number;
  readonly nBins: number;
  /** librosa center=True frame count for a signal of `length` samples. */
  frameCount(length: number): number;
  /** |STFT|, bin-major: out[bin * nFrames + frame]. */
  magnitude(x: Float32Array, out: Float32Array): void;
  /** 20*log10(max(1e-5, |STFT|)), bin-major, no top_db clipping (see `clipTopDb`). */
  logMagnitude(x: Float32Array, out: Float32Array): void;
  /** In-place librosa top_db clip: db = max(db, max(db) - topDb). */
  clipTopDb(db: Float32Array, topDb?: number): Float32Array;
  dispose(): void;
}

export interface GriffinLimOptions {
  /** Default 32. */
  nIter?: number;
  /** Default 0.99 (librosa's fast Griffin-Lim). */
  momentum?: number;
  /** Output length in samples. Default hop * (nFrames - 1), as librosa's istft without `length`. */
  length?: number;
}

export interface GriffinLim {
  /** `mag` is bin-major [nBins][nFrames]. Returns a new Float32Array unless `out` is given. */
  run(mag: Float32Array, opts?: GriffinLimOptions, out?: Float32Array): Float32Array;
  dispose(): void;
}

export interface Baseline {
  readonly name: string;
  readonly nFft: number;
  readonly stft: Stft;
  /** librosa.griffinlim(mag, n_iter, hop, win, n_fft, window='hann', center=True, momentum, init=None, length). */
  griffinLim(mag: Float32Array, opts?: GriffinLimOptions): Float32Array;
  /** One real FFT of a frame of nFft samples (copied into the FFT's input buffer, then transformed). */
  fftOnly(x: Float32Array): void;
  dispose(): void;
}

/** numpy.finfo(np.float32).tiny: librosa's `util.tiny` for float32 / complex64 data. */
export const FLOAT32_TINY = 1.1754943508222875e-38;
/** librosa amplitude_to_db default amin (applied to |X|; i.e. 1e-10 on |X|^2). */
export const AMIN = 1e-5;
const POWER_FLOOR = AMIN * AMIN;
const DB_FLOOR = 10 * Math.log10(POWER_FLOOR); // -100
const DB_PER_NEPER_POWER = 10 / Math.LN10; // 10*log10(p) = DB_PER_NEPER_POWER * ln(p)

/** scipy.signal.get_window('hann', winLength, fftbins=True), zero-padded centred to nFft (librosa pad_center). */
export function paddedPeriodicHann(winLength: number, nFft: number): Float64Array {
  const w = new Float64Array(nFft);
  const lpad = (nFft - winLength) >> 1;
  for (let n = 0; n < winLength; n++) {
    w[lpad + n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / winLength);
  }
  return w;
}

/** librosa center=True: 1 + (len + 2*(nFft//2) - nFft) // hop. */
export function stftFrameCount(length: number, nFft: number, hop: number): number {
  const padded = length + 2 * (nFft >> 1);
  if (padded < nFft) throw new RangeError(`signal of ${length} samples is too short for nFft=${nFft}`);
  return 1 + Math.floor((padded - nFft) / hop);
}

/** In-place librosa top_db clip: db = max(db, max(db) - topDb). Returns `db`. */
export function clipTopDb(db: Float32Array, topDb = 80): Float32Array {
  if (!(topDb >= 0)) throw new RangeError('topDb must be non-negative');
  const n = db.length;
  if (n === 0) return db;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = db[i]!;
    if (v > max) max = v;
  }
  const floor = max - topDb;
  for (let i = 0; i < n; i++) {
    if (db[i]! < floor) db[i] = floor;
  }
  return db;
}

interface ResolvedGeometry {
  nFft: number;
  hop: number;
  winLength: number;
  nBins: number;
  half: number;
  /** Window support [winLo, winHi) inside the nFft frame. */
  winLo: number;
  winHi: number;
  window: Float64Array;
}

function resolveGeometry(g: StftGeometry): ResolvedGeometry {
  const nFft = g.nFft;
  const hop = g.hop;
  const winLength = g.winLength ?? nFft;
  if (!Number.isInteger(nFft) || nFft < 2 || nFft % 2 !== 0) throw new RangeError('nFft must be an even integer >= 2');
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError('hop must be a positive integer');
  if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
    throw new RangeError('winLength must be an integer in [1, nFft]');
  }
  const winLo = (nFft - winLength) >> 1;
  return {
    nFft,
    hop,
    winLength,
    nBins: (nFft >> 1) + 1,
    half: nFft >> 1,
    winLo,
    winHi: winLo + winLength,
    window: paddedPeriodicHann(winLength, nFft),
  };
}

function checkFft(fft: RealFft, nFft: number): void {
  if (fft.n !== nFft) throw new Error(`FFT factory returned size ${fft.n}, expected ${nFft}`);
}

/** Zero buf[0, lo) and buf[hi, n): the part of a frame outside the window support. */
function zeroOutsideSupport(buf: FloatArray, lo: number, hi: number, n: number): void {
  if (lo > 0) buf.fill(0, 0, lo);
  if (hi < n) buf.fill(0, hi, n);
}

/**
 * Frame [start, start+nFft) of the zero-padded signal x, windowed, into buf
 * (only the window support [lo, hi) is written).
 */
function loadFrame(x: Float32Array, start: number, buf: FloatArray, w: Float64Array, lo: number, hi: number): void {
  const len = x.length;
  let a = -start;
  if (a < lo) a = lo;
  let b = len - start;
  if (b > hi) b = hi;
  if (a >= b) {
    buf.fill(0, lo, hi);
    return;
  }
  if (a > lo) buf.fill(0, lo, a);
  for (let n = a; n < b; n++) buf[n] = x[start + n]! * w[n]!;
  if (b < hi) buf.fill(0, b, hi);
}

/** dB of one frame's half spectrum into column `t` of a bin-major output. */
function frameToDb(spec: FloatArray, nyq: number, nBins: number, out: Float32Array, t: number, nFrames: number): void {
  const last = nBins - 1;
  const dc = spec[0]!;
  let p = dc * dc;
  out[t] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
  let o = t + nFrames;
  for (let k = 1; k < last; k++, o += nFrames) {
    const re = spec[2 * k]!;
    const im = spec[2 * k + 1]!;
    p = re * re + im * im;
    out[o] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
  }
  const ny = spec[nyq]!;
  p = ny * ny;
  out[o] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
}

/** |X| of one frame's half spectrum into column `t` of a bin-major output. */
function frameToMagnitude(spec: FloatArray, nyq: number, nBins: number, out: Float32Array, t: number, nFrames: number): void {
  const last = nBins - 1;
  out[t] = Math.abs(spec[0]!);
  let o = t + nFrames;
  for (let k = 1; k < last; k++, o += nFrames) {
    const re = spec[2 * k]!;
    const im = spec[2 * k + 1]!;
    out[o] = Math.sqrt(re * re + im * im);
  }
  out[o] = Math.abs(spec[nyq]!);
}

/**
 * librosa.stft(x, n_fft, hop_length, win_length, window='hann', center=True,
 * pad_mode='constant') followed by |.| or amplitude_to_db(ref=1, amin=1e-5, top_db=None).
 */
export function createStft(fftFactory: RealFftFactory, geometry: StftGeometry): Stft {
  const g = resolveGeometry(geometry);
  const fft = fftFactory(g.nFft);
  checkFft(fft, g.nFft);
  const { nFft, hop, nBins, half, winLo, winHi, window } = g;

  const frameCount = (length: number): number => stftFrameCount(length, nFft, hop);

  const run = (x: Float32Array, out: Float32Array, db: boolean): void => {
    const nFrames = frameCount(x.length);
    if (out.length !== nBins * nFrames) {
      throw new RangeError(`out must hold ${nBins} x ${nFrames} = ${nBins * nFrames} values, got ${out.length}`);
    }
    const fwdIn = fft.fwdIn;
    const spec = fft.spec;
    const nyq = fft.nyquistIndex;
    zeroOutsideSupport(fwdIn, winLo, winHi, nFft);
    for (let t = 0, start = -half; t < nFrames; t++, start += hop) {
      loadFrame(x, start, fwdIn, window, winLo, winHi);
      fft.forward();
      if (db) frameToDb(spec, nyq, nBins, out, t, nFrames);
      else frameToMagnitude(spec, nyq, nBins, out, t, nFrames);
    }
  };

  return {
    nFft,
    hop,
    winLength: g.winLength,
    nBins,
    frameCount,
    magnitude: (x, out) => run(x, out, false),
    logMagnitude: (x, out) => run(x, out, true),
    clipTopDb,
    dispose: () => fft.dispose(),
  };
}

/** Per-clip-shape state of the Griffin-Lim loop; reused while the shape stays the same. */
interface GlState {
  nFrames: number;
  length: number;
  /** Frames synthesised by istft (librosa: min(nFrames, 1 + padded_length // hop)). */
  nFramesIstft: number;
  /** Magnitudes, frame-major [frame][bin]. */
  s: Float32Array;
  /** Current S * angles, frame-major, each frame in the FFT's half-spectrum layout. */
  c: Float32Array;
  /** Per-frame views of `c` (made once, so the istft loop allocates nothing). */
  cFrames: Float32Array[];
  /** `rebuilt` of this and the previous iteration (librosa's rebuilt / tprev). */
  rA: Float32Array;
  rB: Float32Array;
  /**
   * Overlap-add buffer in center-padded coordinates: the signal is
   * pad[half, half + length), and frame t covers pad[t*hop, t*hop + nFft).
   */
  pad: Float64Array;
  /** 1 / window_sumsquare (or 1 where it is <= tiny, as librosa leaves those samples alone). */
  invWss: Float64Array;
}

/**
 * librosa 0.10 `griffinlim` (fast Griffin-Lim, init=None i.e. zero phase,
 * window='hann', center=True, pad_mode='constant').
 */
export function createGriffinLim(fftFactory: RealFftFactory, geometry: StftGeometry): GriffinLim {
  const g = resolveGeometry(geometry);
  const fft = fftFactory(g.nFft);
  checkFft(fft, g.nFft);
  const { nFft, hop, nBins, half, winLo, winHi, window } = g;
  const specLen = fft.halfSpecLength;
  const nyq = fft.nyquistIndex;
  const last = nBins - 1;
  const synthWindow = new Float64Array(nFft);
  for (let n = 0; n < nFft; n++) synthWindow[n] = window[n]! * fft.invScale;
  let state: GlState | null = null;

  const prepare = (nFrames: number, length: number): GlState => {
    if (state !== null && state.nFrames === nFrames && state.length === length) return state;
    const nFramesIstft = Math.min(nFrames, 1 + Math.floor((length + 2 * half) / hop));
    const olaLength = nFft + hop * (nFramesIstft - 1);
    const padLength = Math.max(olaLength, nFft + hop * (nFrames - 1), length + 2 * half);
    // window_sumsquare over the istft frames, trimmed by `half`, fixed to `length`.
    const wss = new Float64Array(padLength);
    for (let t = 0; t < nFramesIstft; t++) {
      const off = t * hop;
      for (let n = winLo; n < winHi; n++) wss[off + n]! += window[n]! * window[n]!;
    }
    const invWss = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const v = wss[half + i]!;
      invWss[i] = v > FLOAT32_TINY ? 1 / v : 1;
    }
    const c = new Float32Array(nFrames * specLen);
    const cFrames: Float32Array[] = [];
    for (let t = 0; t < nFrames; t++) cFrames.push(c.subarray(t * specLen, (t + 1) * specLen));
    state = {
      nFrames,
      length,
      nFramesIstft,
      s: new Float32Array(nFrames * nBins),
      c,
      cFrames,
      rA: new Float32Array(nFrames * specLen),
      rB: new Float32Array(nFrames * specLen),
      pad: new Float64Array(padLength),
      invWss,
    };
    return state;
  };

  /** istft of st.c into st.pad (normalised, zero outside the signal). */
  const istft = (st: GlState): void => {
    const { cFrames, pad, invWss, length } = st;
    const spec = fft.spec;
    const invOut = fft.invOut;
    const stride = fft.invStride;
    pad.fill(0);
    for (let t = 0; t < st.nFramesIstft; t++) {
      spec.set(cFrames[t]!);
      fft.inverse();
      const off = t * hop;
      for (let n = winLo; n < winHi; n++) pad[off + n]! += invOut[n * stride]! * synthWindow[n]!;
    }
    for (let i = 0; i < length; i++) pad[half + i]! *= invWss[i]!;
    pad.fill(0, 0, half);
    pad.fill(0, half + length);
  };

  const run = (mag: Float32Array, opts: GriffinLimOptions = {}, out?: Float32Array): Float32Array => {
    const nIter = opts.nIter ?? 32;
    const momentum = opts.momentum ?? 0.99;
    if (!Number.isInteger(nIter) || nIter < 0) throw new RangeError('nIter must be a non-negative integer');
    if (!(momentum >= 0)) throw new RangeError('momentum must be non-negative');
    if (mag.length === 0 || mag.length % nBins !== 0) {
      throw new RangeError(`mag length ${mag.length} is not a positive multiple of nBins=${nBins}`);
    }
    const nFrames = mag.length / nBins;
    const length = opts.length ?? hop * (nFrames - 1);
    if (!Number.isInteger(length) || length < 1) throw new RangeError('length must be a positive integer');
    if (stftFrameCount(length, nFft, hop) !== nFrames) {
      throw new RangeError(`length ${length} gives ${stftFrameCount(length, nFft, hop)} STFT frames, mag has ${nFrames}`);
    }
    const y = out ?? new Float32Array(length);
    if (y.length !== length) throw new RangeError(`out must have length ${length}`);

    const st = prepare(nFrames, length);
    const { s, c, pad } = st;
    let rCur = st.rA;
    let rPrev = st.rB;

    // S (frame-major) and the zero-phase start: c = S * 1.
    c.fill(0);
    for (let t = 0; t < nFrames; t++) {
      const so = t * nBins;
      const co = t * specLen;
      for (let k = 0; k < nBins; k++) s[so + k] = mag[k * nFrames + t]!;
      c[co] = s[so]!;
      c[co + nyq] = s[so + last]!;
      for (let k = 1; k < last; k++) c[co + 2 * k] = s[so + k]!;
    }

    const fwdIn = fft.fwdIn;
    const spec = fft.spec;
    const decay = momentum / (1 + momentum);
    zeroOutsideSupport(fwdIn, winLo, winHi, nFft);

    for (let iter = 0; iter < nIter; iter++) {
      // inverse = istft(S * angles); rebuilt = stft(inverse)
      istft(st);
      // angles = rebuilt - decay * tprev (not on the first pass); angles /= |angles| + tiny; c = S * angles
      const m = iter === 0 ? 0 : decay;
      for (let t = 0; t < nFrames; t++) {
        const off = t * hop;
        for (let n = winLo; n < winHi; n++) fwdIn[n] = pad[off + n]! * window[n]!;
        fft.forward();
        const co = t * specLen;
        const so = t * nBins;
        let re = spec[0]!;
        rCur[co] = re;
        let ar = re - m * rPrev[co]!;
        c[co] = (s[so]! * ar) / (Math.abs(ar) + FLOAT32_TINY);
        re = spec[nyq]!;
        rCur[co + nyq] = re;
        ar = re - m * rPrev[co + nyq]!;
        c[co + nyq] = (s[so + last]! * ar) / (Math.abs(ar) + FLOAT32_TINY);
        for (let k = 1; k < last; k++) {
          const i = co + 2 * k;
          re = spec[2 * k]!;
          const im = spec[2 * k + 1]!;
          rCur[i] = re;
          rCur[i + 1] = im;
          ar = re - m * rPrev[i]!;
          const ai = im - m * rPrev[i + 1]!;
          const scale = s[so + k]! / (Math.sqrt(ar * ar + ai * ai) + FLOAT32_TINY);
          c[i] = ar * scale;
          c[i + 1] = ai * scale;
        }
      }
      const tmp = rPrev;
      rPrev = rCur;
      rCur = tmp;
    }

    istft(st);
    for (let i = 0; i < length; i++) y[i] = pad[half + i]!;
    return y;
  };

  return {
    run,
    dispose: () => {
      state = null;
      fft.dispose();
    },
  };
}

/**
 * A private instance of this module: same code, but its own functions and so
 * its own V8 type feedback. The hot loops here index the FFT's buffers, which
 * are Float32Array for a WASM FFT and Float64Array for fft.js; if both
 * baselines ran through one instance in the same process, those loops would
 * turn polymorphic and slow down whichever baseline is measured (measured on
 * this machine: Griffin-Lim +25% for pffft, +10% for fft.js). A standalone
 * implementation around a single library would never pay that, so each
 * baseline loads its own instance. Falls back to the shared instance where a
 * query-suffixed specifier cannot be imported (some bundlers).
 */
export async function privateInstance(tag: string): Promise<typeof import('./common.js')> {
  const specifier: string = `./common.js?instance=${encodeURIComponent(tag)}`;
  try {
    return (await import(specifier)) as typeof import('./common.js');
  } catch {
    return await import('./common.js');
  }
}

/** Assemble a baseline from an FFT factory: one FFT plan for the STFT (also used by fftOnly), one for Griffin-Lim. */
export function createBaseline(
  name: string,
  fftFactory: RealFftFactory,
  nFft: number,
  opts: { hop?: number; winLength?: number } = {},
): Baseline {
  const geometry: StftGeometry = { nFft, hop: opts.hop ?? nFft / 2, winLength: opts.winLength ?? nFft };
  const stft = createStft(fftFactory, geometry);
  const gl = createGriffinLim(fftFactory, geometry);
  const rawFft = fftFactory(nFft);
  checkFft(rawFft, nFft);
  return {
    name,
    nFft,
    stft,
    griffinLim: (mag, glOpts) => gl.run(mag, glOpts),
    fftOnly: (x) => {
      if (x.length !== nFft) throw new RangeError(`fftOnly expects ${nFft} samples`);
      rawFft.fwdIn.set(x);
      rawFft.forward();
    },
    dispose: () => {
      stft.dispose();
      gl.dispose();
      rawFft.dispose();
    },
  };
}
