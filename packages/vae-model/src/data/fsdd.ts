/**
 * The Free Spoken Digit Dataset (FSDD): file names, the official split, and
 * features of WAV files held in memory (the web demo's "train on the files
 * you select").
 *
 * Pure logic: no `node:` imports, runs in Node and in browsers. The folder
 * reader and the on-disk cache are in `./node.ts`.
 *
 * FSDD: 3,000 recordings `{digit}_{speaker}_{index}.wav` (8 kHz, 16-bit PCM
 * mono), 6 speakers x 10 digits x 50 takes. Official split: index 0-4 is the
 * test set (300 files), 5-49 the training set (2,700). License CC BY-SA 4.0
 * (Jakobovski/free-spoken-digit-dataset, Zenodo 10.5281/zenodo.1342401).
 *
 * @module
 */
import { decodeWav, WavError, type Dsp } from '@specvae/dsp-wasm';

import { featureShape, validateFeatureConfig, type FeatureConfig } from '../features/config.js';
import { featuresFromSignals, sourceRateProblem } from '../features/pipeline.js';

/** Which part of the official split. */
export type FsddSplit = 'train' | 'test';

/** What a load selects: one part of the split or everything. */
export type FsddSelection = FsddSplit | 'all';

/** One recording, from its file name. */
export interface FsddItem {
  /** The file name (no directory), e.g. `7_jackson_32.wav`. */
  file: string;
  /** The spoken digit, 0-9. */
  digit: number;
  /** Speaker name, e.g. `jackson`. */
  speaker: string;
  /** Take number (0-49 in FSDD). */
  index: number;
  /** `test` for index 0-4, `train` otherwise. */
  split: FsddSplit;
}

/** A file that could not be used, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What to do with an unreadable or corrupt file: skip it (and report it) or throw. */
export type BadFilePolicy = 'skip' | 'throw';

/** Takes with an index below this are the official test split. */
export const FSDD_TEST_INDEX_LIMIT = 5;

/**
 * `{digit}_{speaker}_{index}.wav`: one digit 0-9, a speaker of letters,
 * digits or '-', a decimal index; the extension in any case.
 */
const NAME_RE = /^([0-9])_([A-Za-z0-9-]+)_([0-9]{1,6})\.wav$/i;

/** The official split of a take index: 0-4 test, 5+ train. */
export function fsddSplitOf(index: number): FsddSplit {
  return index < FSDD_TEST_INDEX_LIMIT ? 'test' : 'train';
}

/**
 * Parses an FSDD file name (no directory). Returns null for anything else
 * (e.g. `README.md`, `7_jackson.wav`, `12_theo_3.wav`).
 */
export function parseFsddName(file: string): FsddItem | null {
  const m = NAME_RE.exec(file);
  if (m === null) return null;
  const index = Number(m[3]);
  return { file, digit: Number(m[1]), speaker: m[2]!, index, split: fsddSplitOf(index) };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Deterministic order: digit, then speaker (code-point order), then index
 * (numeric), then file name. The same on every machine and file system.
 */
export function compareFsddItems(a: FsddItem, b: FsddItem): number {
  return a.digit - b.digit || cmpStr(a.speaker, b.speaker) || a.index - b.index || cmpStr(a.file, b.file);
}

/** Items of one part of the split (`all`: every item), in the given order. */
export function selectSplit<T extends FsddItem>(items: readonly T[], split: FsddSelection = 'all'): T[] {
  if (split !== 'all' && split !== 'train' && split !== 'test') {
    throw new RangeError(`unknown FSDD split ${JSON.stringify(split)} (expected 'train', 'test' or 'all')`);
  }
  return split === 'all' ? items.slice() : items.filter((it) => it.split === split);
}

/** A decoded mono clip, or why it cannot be used. */
export type DecodedClip =
  | { ok: true; signal: Float32Array; sampleRate: number }
  | { ok: false; reason: string };

/**
 * Decodes one WAV file for the pipeline (mono downmix), checking that it has
 * samples and a rate the config can resample from. Never throws for bad bytes.
 */
export function decodeClip(name: string, bytes: Uint8Array | ArrayBuffer, config: FeatureConfig): DecodedClip {
  let signal: Float32Array, sampleRate: number;
  try {
    const w = decodeWav(bytes, { name, mono: true });
    signal = w.channels[0]!;
    sampleRate = w.sampleRate;
  } catch (e) {
    if (e instanceof WavError) return { ok: false, reason: e.message };
    throw e;
  }
  if (signal.length === 0) return { ok: false, reason: `${name}: the WAV file has no samples` };
  const rate = sourceRateProblem(sampleRate, config);
  if (rate !== null) return { ok: false, reason: `${name}: ${rate}` };
  return { ok: true, signal, sampleRate };
}

/** One input file of {@link featuresFromFiles}. */
export interface InputFile {
  /** File name (used for labels when it follows the FSDD pattern, and in messages). */
  name: string;
  bytes: Uint8Array | ArrayBuffer;
}

/** One file {@link featuresFromFiles} used. */
export interface UsedFile {
  name: string;
  /** Its position in the input list. */
  position: number;
  sampleRate: number;
  /** Samples (per channel) in the file. */
  samples: number;
  /** Parsed from the name when it follows `{digit}_{speaker}_{index}.wav`, else null. */
  fsdd: FsddItem | null;
}

/** Result of {@link featuresFromFiles}. */
export interface FilesFeatures {
  /** The files used, in input order, clip i at features[i * nBins * nFrames]. */
  files: UsedFile[];
  /** [n][nBins][nFrames], values in [0, 1]. */
  features: Float32Array;
  /** dB (min, max) of clip i at 2i, 2i + 1. */
  ranges: Float32Array;
  /** [n, nBins, nFrames] */
  shape: [number, number, number];
  /** Files that could not be decoded or resampled (policy 'skip'). */
  skipped: SkippedFile[];
}

/** Options of {@link featuresFromFiles}. */
export interface FeaturesFromFilesOptions {
  /** Default 'skip'. */
  onBadFile?: BadFilePolicy;
  /** Called after each chunk of clips (files looked at so far, of all). */
  onProgress?: (p: { done: number; total: number }) => void;
}

/** Clips decoded and transformed together (bounds the memory of decoded signals). */
const FILE_CHUNK = 64;

/**
 * Features of WAV files held in memory (any rate the config can resample
 * from, any channel count: downmixed), for the browser demo's "train on the
 * files you select". Labels come from FSDD-style names when present.
 *
 * @throws {RangeError} invalid config or arguments; with `onBadFile: 'throw'`
 *   an Error naming the first bad file
 */
export function featuresFromFiles(
  dsp: Dsp, files: readonly InputFile[], config: FeatureConfig, options: FeaturesFromFilesOptions = {},
): FilesFeatures {
  const c = validateFeatureConfig(config);
  const shape = featureShape(c);
  if (!Array.isArray(files)) throw new RangeError('featuresFromFiles: files must be an array of { name, bytes }');
  const policy = options.onBadFile ?? 'skip';
  if (policy !== 'skip' && policy !== 'throw') throw new RangeError(`featuresFromFiles: onBadFile must be 'skip' or 'throw' (got ${String(policy)})`);
  const out = new Float32Array(files.length * shape.size);
  const ranges = new Float32Array(2 * files.length);
  const used: UsedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (let start = 0; start < files.length; start += FILE_CHUNK) {
    const signals: Float32Array[] = [];
    const rates: number[] = [];
    for (let i = start; i < Math.min(files.length, start + FILE_CHUNK); i++) {
      const f = files[i];
      const name = f !== null && typeof f === 'object' && typeof f.name === 'string' ? f.name : `file ${i}`;
      const d: DecodedClip = f !== null && typeof f === 'object' && (f.bytes instanceof Uint8Array || f.bytes instanceof ArrayBuffer)
        ? decodeClip(name, f.bytes, c)
        : { ok: false, reason: `${name}: expected { name: string, bytes: Uint8Array | ArrayBuffer }` };
      if (!d.ok) {
        if (policy === 'throw') throw new Error(`featuresFromFiles: ${d.reason}`);
        skipped.push({ file: name, reason: d.reason });
        continue;
      }
      signals.push(d.signal);
      rates.push(d.sampleRate);
      used.push({ name, position: i, sampleRate: d.sampleRate, samples: d.signal.length, fsdd: parseFsddName(name) });
    }
    const at = used.length - signals.length;
    const b = featuresFromSignals(dsp, signals, rates, c, { out: out.subarray(at * shape.size, used.length * shape.size) });
    ranges.set(b.ranges, 2 * at);
    options.onProgress?.({ done: Math.min(files.length, start + FILE_CHUNK), total: files.length });
  }
  const n = used.length;
  return {
    files: used,
    features: n === files.length ? out : out.slice(0, n * shape.size),
    ranges: n === files.length ? ranges : ranges.slice(0, 2 * n),
    shape: [n, shape.nBins, shape.nFrames],
    skipped,
  };
}
