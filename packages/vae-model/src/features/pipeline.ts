/**
 * The feature pipeline on @specvae/dsp-wasm: audio -> normalised
 * log-magnitude spectrogram, and back (Griffin-Lim).
 *
 * Pure logic: no `node:` imports, runs in Node and in browsers.
 *
 * Layout: a clip's features are bin-major, element (bin k, frame t) at
 * `k * nFrames + t`, which is row-major [nBins][nFrames]: a batch laid out as
 * [n][nBins][nFrames] is a tensor of shape [n, nBins, nFrames, 1] as is.
 *
 * @module
 */
import { encodeWav, type Dsp } from '@specvae/dsp-wasm';

import { featureShape, MAX_SAMPLE_RATE, validateFeatureConfig, type FeatureConfig, type FeatureShape } from './config.js';

/** Features of many clips. */
export interface FeatureBatch {
  /** [n][nBins][nFrames], values in [0, 1]. */
  features: Float32Array;
  /**
   * Each clip's dB range before normalisation: min at 2i, max at 2i + 1
   * (`min = max - topDb` whenever the clip spans more than topDb).
   * `dB = feature * (max - min) + min`.
   */
  ranges: Float32Array;
  /** [n, nBins, nFrames] */
  shape: [number, number, number];
}

/** Features of one clip. */
export interface ClipFeatures {
  /** [nBins][nFrames], values in [0, 1]. */
  features: Float32Array;
  /** The dB range [min, max] before normalisation. */
  range: [number, number];
  /** [nBins, nFrames] */
  shape: [number, number];
}

/** Options of {@link featuresFromSignals}. */
export interface FeaturesFromSignalsOptions {
  /** Write here instead of allocating: exactly n * nBins * nFrames values. */
  out?: Float32Array;
}

/** Options of the way back ({@link resynthesize}, {@link audioFromFeatures}, {@link wavFromFeatures}). */
export interface ResynthesisOptions {
  /**
   * dB range [min, max] to denormalise with. Default [-topDb, 0] (i.e.
   * [-80, 0]): any pair with the same difference gives the same audio after
   * peak normalisation, so this is right for generated features too.
   */
  range?: readonly [number, number];
  /** Griffin-Lim iterations (default config.griffinLim.nIter). */
  nIter?: number;
  /** Griffin-Lim momentum (default config.griffinLim.momentum). */
  momentum?: number;
  /** Initial phase (default config.griffinLim.init). */
  init?: 'random' | 'zeros';
  /** Seed of the random initial phase (default config.griffinLim.seed). */
  seed?: number;
}

/** Result of {@link resynthesize}. */
export interface Resynthesis {
  /** `config.length` samples at `sampleRate`, peak-normalised to `config.peak` (silence stays silent). */
  audio: Float32Array;
  sampleRate: number;
  /**
   * Griffin-Lim's spectral convergence per iteration,
   * ||(|STFT(x_i)| - S)|| / ||S|| over all STFT rows (S with the zero
   * Nyquist row), before peak normalisation. Empty when nIter is 0.
   */
  convergence: Float32Array;
}

// ---------------------------------------------------------------------------
// Checks

function fail(fn: string, message: string): never {
  throw new RangeError(`${fn}: ${message}`);
}

/** Index of the first NaN or infinite value, or -1. */
function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Limit on up * down of a rate ratio (that of dsp-wasm's polyphase resampler). */
const MAX_RATE_PRODUCT = 1_000_000;
/** Zero crossings of the resampling filter on each side (dsp-wasm's default, as scipy's resample_poly). */
const RESAMPLE_ZEROS = 10;

/**
 * Why a source rate cannot be used with a config, or null when it can.
 * Accepted: integer rates from 1 Hz to 1 MHz whose ratio to
 * `config.sampleRate` reduces to up/down with up * down <= 1,000,000 (every
 * common rate: 8, 11.025, 16, 22.05, 32, 44.1, 48, 96 kHz, ...).
 */
export function sourceRateProblem(sourceRate: number, config: FeatureConfig): string | null {
  if (typeof sourceRate !== 'number' || !Number.isInteger(sourceRate) || sourceRate < 1 || sourceRate > MAX_SAMPLE_RATE) {
    return `unsupported sample rate ${String(sourceRate)} Hz (an integer from 1 to ${MAX_SAMPLE_RATE} is needed)`;
  }
  if (sourceRate === config.sampleRate) return null;
  const g = gcd(sourceRate, config.sampleRate);
  const up = config.sampleRate / g, down = sourceRate / g;
  if (up * down > MAX_RATE_PRODUCT) {
    return `unsupported sample rate ${sourceRate} Hz: resampling to ${config.sampleRate} Hz reduces to ${up}/${down}, ` +
      `too many polyphase filter phases (the rates need a larger common factor, e.g. 8000, 16000, 22050, 44100, 48000 Hz)`;
  }
  return null;
}

/**
 * Source samples that determine the first `length` output samples of a
 * resampling from `from` to `to` Hz: those up to the last output's position
 * plus the filter's half-length (in input samples), plus a margin.
 */
function sourceSamplesNeeded(length: number, from: number, to: number): number {
  const g = gcd(from, to);
  const up = to / g, down = from / g;
  return Math.ceil((length * down) / up) + Math.ceil((RESAMPLE_ZEROS * Math.max(up, down)) / up) + 2;
}

/**
 * The signal as the STFT sees it before pad/crop: at most `duration` seconds
 * at the source rate, resampled to config.sampleRate.
 */
function prepareSignal(dsp: Dsp, x: unknown, sourceRate: number, c: FeatureConfig, fn: string, what: string): Float32Array {
  if (!(x instanceof Float32Array)) fail(fn, `${what} must be a Float32Array`);
  if (x.length === 0) fail(fn, `${what} is empty (0 samples)`);
  const rateProblem = sourceRateProblem(sourceRate, c);
  if (rateProblem !== null) fail(fn, `${what}: ${rateProblem}`);
  let n = x.length;
  // librosa.load(duration=d) reads int(d * sr_native) samples, then resamples.
  if (c.duration !== null) n = Math.min(n, Math.floor(c.duration * sourceRate));
  // Only what can reach the first `length` output samples (exact: the filter's support is kept).
  n = Math.min(n, sourceRate === c.sampleRate ? c.length : sourceSamplesNeeded(c.length, sourceRate, c.sampleRate));
  const y = n < x.length ? x.subarray(0, n) : x;
  const bad = firstNonFinite(y);
  if (bad >= 0) fail(fn, `${what} has a non-finite sample (${String(y[bad])} at index ${bad})`);
  if (n === 0) fail(fn, `${what}: duration ${String(c.duration)} s keeps no samples at ${sourceRate} Hz`);
  return sourceRate === c.sampleRate ? y : dsp.resample(y, sourceRate, c.sampleRate);
}

/**
 * A recording as the pipeline sees it before the STFT: cut (config.duration),
 * resampled to config.sampleRate, zero-padded or cropped to config.length.
 * Use it to compare a resynthesis with the real recording.
 */
export function pipelineSignal(dsp: Dsp, signal: Float32Array, sourceRate: number, config: FeatureConfig): Float32Array {
  const y = prepareSignal(dsp, signal, sourceRate, config, 'pipelineSignal', 'signal');
  if (y.length === config.length) return y;
  const out = new Float32Array(config.length);
  out.set(y.length > config.length ? y.subarray(0, config.length) : y);
  return out;
}

/**
 * From raw dB (ref 1, no clip, all STFT rows, bin-major) of one clip to its
 * features: keep the first `size` values (the first nBins rows, since the
 * layout is bin-major), clip at max - topDb, map [min, max] to [0, 1].
 * Computed in double precision. A clip with max == min (digital silence)
 * becomes all zeros. Returns [min, max].
 */
function finishClip(raw: Float32Array, out: Float32Array, topDb: number | null): [number, number] {
  const n = out.length;
  let max = -Infinity, rawMin = Infinity;
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    if (v > max) max = v;
    if (v < rawMin) rawMin = v;
  }
  // The min after clipping at the floor is max(rawMin, floor).
  const floor = topDb === null ? -Infinity : max - topDb;
  const min = rawMin > floor ? rawMin : floor;
  const scale = max > min ? 1 / (max - min) : 0;
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    out[i] = ((v > min ? v : min) - min) * scale;
  }
  return [min, max];
}

/** Clips per spectrogramBatch call (bounds the scratch buffer). */
const CHUNK = 32;

// ---------------------------------------------------------------------------
// Audio -> features

/**
 * Features of many signals: crop to `duration` at the source rate, resample,
 * pad/crop to `length`, STFT, drop the Nyquist row, dB, clip at top_db,
 * per-clip min/max normalisation.
 *
 * The max, the top_db floor and the min are taken over the KEPT rows only,
 * as the original (which dropped the Nyquist row before
 * `librosa.amplitude_to_db`). So dsp-wasm's fused dB/normalisation is not
 * used: `spectrogramBatch` produces raw dB and the clip and normalisation
 * are applied here (about 10 ns per value).
 *
 * @param dsp a dsp-wasm engine
 * @param signals mono float signals
 * @param sourceRate the signals' sample rate: one for all, or one per signal
 * @param config pipeline parameters
 * @throws {RangeError} invalid config, a signal that is not a non-empty
 *   finite Float32Array, an unsupported rate, a wrong `out` size
 */
export function featuresFromSignals(
  dsp: Dsp,
  signals: readonly Float32Array[],
  sourceRate: number | readonly number[],
  config: FeatureConfig,
  options: FeaturesFromSignalsOptions = {},
): FeatureBatch {
  const fn = 'featuresFromSignals';
  const c = validateFeatureConfig(config);
  const shape = featureShape(c);
  if (!Array.isArray(signals)) fail(fn, 'signals must be an array of Float32Array');
  const n = signals.length;
  if (Array.isArray(sourceRate) && sourceRate.length !== n) {
    fail(fn, `${sourceRate.length} source rates given for ${n} signals`);
  }
  const rateOf = (i: number): number => (typeof sourceRate === 'number' ? sourceRate : (sourceRate as readonly number[])[i]!);
  const total = n * shape.size;
  const out = options.out ?? new Float32Array(total);
  if (!(out instanceof Float32Array) || out.length !== total) {
    fail(fn, `out must be a Float32Array of exactly ${n} x ${shape.nBins} x ${shape.nFrames} = ${total} values (got ${
      out instanceof Float32Array ? out.length : typeof out})`);
  }
  const ranges = new Float32Array(2 * n);
  const fullSize = shape.stftBins * shape.nFrames;
  const scratch = new Float32Array(Math.min(CHUNK, Math.max(1, n)) * fullSize);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const prepared: Float32Array[] = [];
    for (let i = start; i < end; i++) prepared.push(prepareSignal(dsp, signals[i], rateOf(i), c, fn, `signal ${i}`));
    dsp.spectrogramBatch(prepared, {
      nFft: c.nFft, hop: c.hop, winLength: c.winLength, center: true, padMode: 'constant',
      length: c.length, ref: 1, amin: c.amin, topDb: null, normalize: false,
    }, scratch);
    for (let i = start; i < end; i++) {
      const j = i - start;
      const [lo, hi] = finishClip(scratch.subarray(j * fullSize, (j + 1) * fullSize),
        out.subarray(i * shape.size, (i + 1) * shape.size), c.topDb);
      ranges[2 * i] = lo;
      ranges[2 * i + 1] = hi;
    }
  }
  return { features: out, ranges, shape: [n, shape.nBins, shape.nFrames] };
}

/**
 * Features of one signal; see {@link featuresFromSignals}.
 *
 * @throws {RangeError} as {@link featuresFromSignals}
 */
export function featuresFromSignal(dsp: Dsp, signal: Float32Array, sourceRate: number, config: FeatureConfig): ClipFeatures {
  const b = featuresFromSignals(dsp, [signal], sourceRate, config);
  return { features: b.features, range: [b.ranges[0]!, b.ranges[1]!], shape: [b.shape[1], b.shape[2]] };
}

// ---------------------------------------------------------------------------
// Features -> audio

function checkFeatures(features: unknown, shape: FeatureShape, fn: string): Float32Array {
  if (!(features instanceof Float32Array)) {
    fail(fn, `features must be a Float32Array of ${shape.nBins} x ${shape.nFrames} = ${shape.size} values (one clip)`);
  }
  if (features.length !== shape.size) {
    fail(fn, `features must hold one clip of ${shape.nBins} x ${shape.nFrames} = ${shape.size} values, got ${features.length}${
      features.length > shape.size && features.length % shape.size === 0 ? ` (${features.length / shape.size} clips? pass one subarray per clip)` : ''}`);
  }
  const bad = firstNonFinite(features);
  if (bad >= 0) {
    fail(fn, `features contain a non-finite value (${String(features[bad])} at bin ${Math.floor(bad / shape.nFrames)}, frame ${bad % shape.nFrames})`);
  }
  return features;
}

function checkRange(range: unknown, fn: string): [number, number] {
  if (!Array.isArray(range) || range.length !== 2) fail(fn, 'range must be a pair [min, max] of dB values');
  const [lo, hi] = range as [unknown, unknown];
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    fail(fn, `range must be finite dB values with min <= max (got [${String(lo)}, ${String(hi)}])`);
  }
  return [lo, hi];
}

/**
 * Linear STFT magnitudes of one clip's features, with all nFft / 2 + 1 rows
 * (a zero Nyquist row re-inserted when the config drops it): denormalise
 * with `range` to dB, then 10^(dB / 20).
 *
 * @param range dB [min, max] (default [-topDb, 0], [-80, 0] without topDb)
 * @throws {RangeError} wrong size, non-finite values, bad range
 */
export function featuresToMagnitude(
  dsp: Dsp, features: Float32Array, config: FeatureConfig, range?: readonly [number, number],
): { data: Float32Array; nBins: number; nFrames: number } {
  const fn = 'featuresToMagnitude';
  const c = validateFeatureConfig(config);
  const shape = featureShape(c);
  const f = checkFeatures(features, shape, fn);
  const [lo, hi] = checkRange(range ?? [-(c.topDb ?? 80), 0], fn);
  const db = new Float32Array(shape.size);
  const span = hi - lo;
  for (let i = 0; i < db.length; i++) db[i] = f[i]! * span + lo;
  const amp = dsp.dbToAmplitude(db);
  const data = new Float32Array(shape.stftBins * shape.nFrames);
  // Bin-major: the kept rows are the first nBins * nFrames values; the rest (Nyquist) stays 0.
  data.set(amp);
  return { data, nBins: shape.stftBins, nFrames: shape.nFrames };
}

/** Scales x in place so max |x| = peak (all-zero input is left as is). */
function peakNormalize(x: Float32Array, peak: number): void {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > m) m = a;
  }
  if (m > 0) {
    const s = peak / m;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * s;
  }
}

/**
 * The way back, with diagnostics: denormalise -> dB -> amplitude -> zero
 * Nyquist row -> Griffin-Lim (config.length samples) -> peak-normalise.
 *
 * @param features one clip, [nBins][nFrames]
 * @throws {RangeError} wrong size, non-finite values, bad options
 */
export function resynthesize(dsp: Dsp, features: Float32Array, config: FeatureConfig, options: ResynthesisOptions = {}): Resynthesis {
  const fn = 'resynthesize';
  const c = validateFeatureConfig(config);
  const o = options ?? {};
  const mag = featuresToMagnitude(dsp, features, c, o.range);
  const nIter = o.nIter ?? c.griffinLim.nIter;
  if (!Number.isInteger(nIter) || nIter < 0 || nIter > 10000) fail(fn, `nIter must be an integer from 0 to 10000 (got ${nIter})`);
  const seed = o.seed ?? c.griffinLim.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(fn, `seed must be an integer from 0 to 2^32 - 1 (got ${seed})`);
  const momentum = o.momentum ?? c.griffinLim.momentum;
  if (typeof momentum !== 'number' || !(momentum >= 0) || !Number.isFinite(momentum)) fail(fn, `momentum must be a finite number >= 0 (got ${momentum})`);
  const init = o.init ?? c.griffinLim.init;
  if (init !== 'random' && init !== 'zeros') fail(fn, `init must be 'random' or 'zeros' (got ${String(init)})`);
  const r = dsp.griffinLim(mag, {
    nFft: c.nFft, hop: c.hop, winLength: c.winLength, center: true, padMode: 'constant',
    length: c.length, nIter, momentum, init, seed, convergence: nIter > 0,
  });
  peakNormalize(r.signal, c.peak);
  return { audio: r.signal, sampleRate: c.sampleRate, convergence: r.convergence ?? new Float32Array(0) };
}

/**
 * Audio from one clip's features (see {@link resynthesize}): `config.length`
 * samples at `config.sampleRate`, peak-normalised to `config.peak`.
 */
export function audioFromFeatures(dsp: Dsp, features: Float32Array, config: FeatureConfig, options: ResynthesisOptions = {}): Float32Array {
  return resynthesize(dsp, features, config, options).audio;
}

/** A 16-bit PCM mono WAV file of {@link audioFromFeatures}. */
export function wavFromFeatures(dsp: Dsp, features: Float32Array, config: FeatureConfig, options: ResynthesisOptions = {}): Uint8Array {
  const r = resynthesize(dsp, features, config, options);
  return encodeWav(r.audio, r.sampleRate);
}
