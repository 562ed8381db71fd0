/**
 * Feature-pipeline parameters: a plain, JSON-serialisable object stored with
 * every model, so that a saved model always knows how to turn audio into its
 * input and its output back into audio.
 *
 * Pure logic: no `node:` imports, runs in Node and in browsers.
 *
 * ## The pipeline these parameters drive (see `pipeline.ts`)
 *
 * audio at `sourceRate` -> keep at most `duration` seconds (counted at the
 * SOURCE rate, as `librosa.load(duration=...)` does) -> resample to
 * `sampleRate` -> zero-pad on the right or crop to `length` samples -> STFT
 * (periodic Hann window of `winLength` centred in `nFft`, hop `hop`,
 * `center=True` with zero padding of nFft / 2 on both sides: librosa >= 0.10)
 * -> magnitude -> optionally drop the Nyquist row -> dB
 * `20 log10(max(amin, |X|))` (ref 1) -> clip at `max - topDb` -> per-clip
 * min/max normalisation to [0, 1]. Spectrograms are bin-major
 * ([nBins][nFrames], row-major), i.e. the model's [frequency, time, 1] input
 * without any transpose.
 *
 * Fixed choices (not fields; they change with {@link FEATURE_PIPELINE_VERSION}):
 * periodic Hann window, `center=True`, zero ('constant') centre padding,
 * dB reference 1.0, min/max normalisation over the kept rows, right-padding.
 *
 * @module
 */

/**
 * Version of the feature computation itself. Bump it whenever the same
 * {@link FeatureConfig} would produce different numbers (it is part of every
 * cache key).
 */
export const FEATURE_PIPELINE_VERSION = 1;

/** Griffin-Lim settings for the way back from features to audio. */
export interface GriffinLimConfig {
  /** Iterations (librosa's default 32). */
  nIter: number;
  /** Fast Griffin-Lim momentum (librosa's default 0.99; 0 = classic Griffin-Lim). */
  momentum: number;
  /** Initial phase: 'random' (seeded, as librosa) or 'zeros'. */
  init: 'random' | 'zeros';
  /** Seed of the random initial phase: same seed, same audio. */
  seed: number;
}

/**
 * Parameters of the feature pipeline. Every field is required, so a stored
 * config is self-describing; build one from a preset with
 * {@link featurePreset} (optionally with overrides).
 */
export interface FeatureConfig {
  /** Sample rate (Hz) of the model's audio: signals are resampled to it, audio comes back at it. */
  sampleRate: number;
  /**
   * At most this many seconds are read from each source signal, counted at the
   * source rate BEFORE resampling: `floor(duration * sourceRate)` samples
   * (Python's `int(...)`, as `librosa.load(duration=...)`). `null`: all.
   */
  duration: number | null;
  /** Samples (at `sampleRate`) after right zero-padding or cropping. */
  length: number;
  /** FFT size, a power of two from 16 to 65536. */
  nFft: number;
  /** Samples between STFT frames (at most `winLength`). */
  hop: number;
  /** Hann window length, at most `nFft` (zero-padded, centred, to `nFft`). */
  winLength: number;
  /** Drop the last (Nyquist) frequency row: nFft / 2 rows instead of nFft / 2 + 1. */
  dropNyquist: boolean;
  /** Smallest magnitude considered by the dB conversion (1e-5 = -100 dB). */
  amin: number;
  /** Clip dB values below `max - topDb` (per clip); `null`: no clip. */
  topDb: number | null;
  /** Griffin-Lim defaults for the way back. */
  griffinLim: GriffinLimConfig;
  /** Reconstructed audio is scaled so its largest absolute sample is this (0 < peak <= 1). */
  peak: number;
}

/** Sizes that follow from a {@link FeatureConfig}. */
export interface FeatureShape {
  /** Frequency rows of a feature (nFft / 2, or nFft / 2 + 1 with the Nyquist row kept). */
  nBins: number;
  /** Rows the STFT produces: nFft / 2 + 1. */
  stftBins: number;
  /** STFT frames: 1 + floor(length / hop) (center=True). */
  nFrames: number;
  /** Values per clip: nBins * nFrames. */
  size: number;
  /** The model's input shape [frequency, time, channel]. */
  inputShape: [number, number, 1];
}

/** Names of the built-in presets. */
export type FeaturePresetName = 'original' | 'default';

/**
 * The original experiment, exactly (docs/original-experiment.md section 1):
 * 22,050 Hz; at most 0.74 s read at the source rate (8 kHz FSDD: 5,920
 * samples, which resample to exactly 16,317), right-padded to 16,317; n_fft
 * 512, hop 256, window 512; the Nyquist row dropped -> 256 x 64; dB with ref
 * 1, amin 1e-5, top_db 80; per-file min/max normalisation. Griffin-Lim and
 * peak as the notes prescribe for our (real) phase reconstruction.
 */
const ORIGINAL: FeatureConfig = {
  sampleRate: 22050,
  duration: 0.74,
  length: 16317,
  nFft: 512,
  hop: 256,
  winLength: 512,
  dropNyquist: true,
  amin: 1e-5,
  topDb: 80,
  griffinLim: { nIter: 32, momentum: 0.99, init: 'random', seed: 1 },
  peak: 0.9,
};

/**
 * Our default: FSDD's native 8 kHz, the whole of every recording.
 *
 * - **Rate 8,000 Hz** (no resampling). At 22,050 Hz 64 % of the rows are
 *   empty (FSDD has nothing above 4 kHz) and 2.8x the compute is wasted.
 * - **n_fft 256 = window 256** (32 ms, 31.25 Hz per bin; the original had
 *   23 ms and 43 Hz), **hop 128** (50 % overlap, 16 ms: the original's
 *   overlap). 129 rows, minus the Nyquist row -> **128 = 2^7 bins**.
 * - **Frames**: with center=True, nFrames = 1 + floor(length / hop). The
 *   longest FSDD file (9_theo_16.wav, 18,262 samples = 2.28 s) needs
 *   1 + floor(18262 / 128) = 143 frames; rounding up to a multiple of 16
 *   gives **144 frames**, and the shortest length giving 144 frames is
 *   143 * 128 = **18,304 samples (2.288 s)**: every file fits whole (pad
 *   only, never a crop; the original cut 83 files at 0.74 s).
 * - **Input 128 x 144 x 1** (18,432 values; the original's 256 x 64 has
 *   16,384, of which 64 % of the rows are empty). 128 = 2^7 and 144 = 2^4 * 9,
 *   so four stride-2 stages downsample cleanly to 8 x 9, a fifth with
 *   stride (2, 1) to 4 x 9.
 * - dB (amin 1e-5, top_db 80), normalisation, Griffin-Lim (32 iterations,
 *   momentum 0.99) and peak 0.9 as in the original.
 *
 * Alternatives considered (the lead may switch after measuring models):
 * - hop 64 (75 % overlap, librosa's default n_fft / 4): 128 x 288 frames
 *   (length 287 * 64 = 18,368), twice the pixels and the compute. Measured
 *   feature -> Griffin-Lim (32 iterations) -> feature spectral convergence on
 *   six FSDD clips: 0.047-0.098 with hop 64 vs 0.037-0.082 with hop 128
 *   (0.014-0.044 with 100 iterations at hop 128). Spectral convergence is not
 *   comparable across redundancies (a 2x-redundant STFT is easier to make
 *   consistent), so judge this by the evaluation's log-spectral distance to
 *   the real recordings.
 * - 128 x 160 frames (length 159 * 128 = 20,352, a multiple of 32): allows
 *   five stride-2 stages (4 x 5) at 11 % more pixels of padding.
 * - n_fft 512 / hop 256 at 8 kHz: 256 x 80 frames (length 79 * 256 = 20,224);
 *   64 ms windows blur the short digits in time.
 * - A fixed 1 s crop (128 x 64): cheaper but truncates the longer files,
 *   the original's flaw 3.
 */
const DEFAULT: FeatureConfig = {
  sampleRate: 8000,
  duration: null,
  length: 18304,
  nFft: 256,
  hop: 128,
  winLength: 256,
  dropNyquist: true,
  amin: 1e-5,
  topDb: 80,
  griffinLim: { nIter: 32, momentum: 0.99, init: 'random', seed: 1 },
  peak: 0.9,
};

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(o);
}

/** The built-in presets (frozen; use {@link featurePreset} for a mutable copy). */
export const FEATURE_PRESETS: Readonly<Record<FeaturePresetName, Readonly<FeatureConfig>>> = Object.freeze({
  original: deepFreeze(ORIGINAL),
  default: deepFreeze(DEFAULT),
});

/** Partial overrides of a config (the Griffin-Lim block may be partial too). */
export type FeatureConfigOverrides = Partial<Omit<FeatureConfig, 'griffinLim'>> & {
  griffinLim?: Partial<GriffinLimConfig>;
};

function copyConfig(c: Readonly<FeatureConfig>): FeatureConfig {
  return { ...c, griffinLim: { ...c.griffinLim } };
}

/**
 * A fresh, validated copy of a preset, with optional overrides.
 *
 * @throws {RangeError} unknown preset name, or an invalid resulting config
 */
export function featurePreset(name: FeaturePresetName = 'default', overrides: FeatureConfigOverrides = {}): FeatureConfig {
  const base = Object.prototype.hasOwnProperty.call(FEATURE_PRESETS, name) ? FEATURE_PRESETS[name] : undefined;
  if (base === undefined) {
    throw new RangeError(`unknown feature preset ${JSON.stringify(name)} (expected one of ${Object.keys(FEATURE_PRESETS).join(', ')})`);
  }
  const c = copyConfig(base);
  const { griffinLim, ...rest } = overrides ?? {};
  const merged = { ...c, ...rest, griffinLim: { ...c.griffinLim, ...(griffinLim ?? {}) } };
  return validateFeatureConfig(merged);
}

const CONFIG_KEYS: readonly (keyof FeatureConfig)[] = [
  'sampleRate', 'duration', 'length', 'nFft', 'hop', 'winLength', 'dropNyquist', 'amin', 'topDb', 'griffinLim', 'peak',
];
const GL_KEYS: readonly (keyof GriffinLimConfig)[] = ['nIter', 'momentum', 'init', 'seed'];

/** Highest sample rate accepted anywhere in the pipeline (that of WAV decoding). */
export const MAX_SAMPLE_RATE = 1_000_000;

function bad(message: string): never {
  throw new RangeError(`invalid FeatureConfig: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(obj: Record<string, unknown>, key: string, lo: number, hi: number, label = key): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    bad(`${label} must be an integer from ${lo} to ${hi} (got ${JSON.stringify(v) ?? String(v)})`);
  }
  return v;
}

function finiteNum(obj: Record<string, unknown>, key: string, label = key): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${label} must be a finite number (got ${JSON.stringify(v) ?? String(v)})`);
  return v;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) bad(`unknown field ${JSON.stringify(k)}${where} (allowed: ${allowed.join(', ')})`);
  }
  for (const k of allowed) if (!(k in obj)) bad(`missing field ${JSON.stringify(k)}${where}`);
}

/**
 * Checks every field (types, ranges, consistency) and returns a fresh copy
 * with exactly the known fields. Unknown fields are rejected, so a typo like
 * `hopLength` cannot be silently ignored.
 *
 * @throws {RangeError} naming the first problem
 */
export function validateFeatureConfig(config: unknown): FeatureConfig {
  if (!isRecord(config)) bad('expected an object');
  checkKeys(config, CONFIG_KEYS, '');
  const sampleRate = intIn(config, 'sampleRate', 1, MAX_SAMPLE_RATE);
  let duration: number | null = null;
  if (config.duration !== null) {
    duration = finiteNum(config, 'duration');
    if (!(duration > 0)) bad(`duration must be > 0 seconds or null (got ${duration})`);
  }
  const nFft = intIn(config, 'nFft', 16, 65536);
  if ((nFft & (nFft - 1)) !== 0) bad(`nFft must be a power of two (got ${nFft})`);
  const winLength = intIn(config, 'winLength', 1, nFft, `winLength (at most nFft = ${nFft})`);
  const hop = intIn(config, 'hop', 1, winLength, `hop (at most winLength = ${winLength}, so that frames overlap or touch)`);
  const length = intIn(config, 'length', 1, 2 ** 28);
  if (typeof config.dropNyquist !== 'boolean') bad(`dropNyquist must be a boolean (got ${JSON.stringify(config.dropNyquist)})`);
  const amin = finiteNum(config, 'amin');
  if (!(amin > 0)) bad(`amin must be > 0 (got ${amin})`);
  let topDb: number | null = null;
  if (config.topDb !== null) {
    topDb = finiteNum(config, 'topDb');
    if (!(topDb > 0)) bad(`topDb must be > 0 or null (got ${topDb})`);
  }
  const peak = finiteNum(config, 'peak');
  if (!(peak > 0 && peak <= 1)) bad(`peak must be in (0, 1] (got ${peak})`);
  const gl = config.griffinLim;
  if (!isRecord(gl)) bad('griffinLim must be an object');
  checkKeys(gl, GL_KEYS, ' in griffinLim');
  const nIter = intIn(gl, 'nIter', 0, 10000, 'griffinLim.nIter');
  const momentum = finiteNum(gl, 'momentum', 'griffinLim.momentum');
  if (!(momentum >= 0)) bad(`griffinLim.momentum must be >= 0 (got ${momentum})`);
  const init = gl.init;
  if (init !== 'random' && init !== 'zeros') bad(`griffinLim.init must be 'random' or 'zeros' (got ${JSON.stringify(init)})`);
  const seed = intIn(gl, 'seed', 0, 0xffffffff, 'griffinLim.seed');
  return {
    sampleRate, duration, length, nFft, hop, winLength, dropNyquist: config.dropNyquist, amin, topDb,
    griffinLim: { nIter, momentum, init, seed }, peak,
  };
}

/** Sizes derived from a config (validated). */
export function featureShape(config: FeatureConfig): FeatureShape {
  const c = validateFeatureConfig(config);
  const stftBins = (c.nFft >> 1) + 1;
  const nBins = c.dropNyquist ? stftBins - 1 : stftBins;
  const nFrames = 1 + Math.floor(c.length / c.hop);
  return { nBins, stftBins, nFrames, size: nBins * nFrames, inputShape: [nBins, nFrames, 1] };
}

/**
 * A canonical string for a config: JSON with the fields in a fixed order,
 * prefixed by the pipeline version. Two configs give the same key exactly
 * when they produce the same features; hash it for a short cache key.
 */
export function featureConfigKey(config: FeatureConfig): string {
  const c = validateFeatureConfig(config);
  const ordered: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    if (k === 'griffinLim') {
      const g: Record<string, unknown> = {};
      for (const gk of GL_KEYS) g[gk] = c.griffinLim[gk];
      ordered[k] = g;
    } else ordered[k] = c[k];
  }
  return `specvae-features/v${FEATURE_PIPELINE_VERSION}:${JSON.stringify(ordered)}`;
}
