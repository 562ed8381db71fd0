/**
 * FSDD from a folder (Node only): listing with checks, and features of a
 * split with an on-disk cache. Browser code imports `./index.ts` (pure)
 * instead.
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

import type { Dsp } from '@specvae/dsp-wasm';
import { decodeWav, WavError } from '@specvae/dsp-wasm';

import { featureShape, validateFeatureConfig, type FeatureConfig } from '../features/config.js';
import { featuresFromSignals } from '../features/pipeline.js';
import {
  featureCacheKey, featureCachePath, readFeatureCache, writeFeatureCache, type CachedFeatures,
} from './cache.js';
import {
  compareFsddItems, decodeClip, parseFsddName, selectSplit,
  type BadFilePolicy, type FsddItem, type FsddSelection, type SkippedFile,
} from './fsdd.js';

export {
  FEATURE_CACHE_FORMAT, featureCacheKey, featureCachePath, readFeatureCache, writeFeatureCache, writeFileAtomic,
  type CachedFeatures, type CacheReadResult, type CacheSourceFile,
} from './cache.js';

/** Why an FSDD folder cannot be used. */
export type FsddErrorCode = 'NOT_FOUND' | 'NOT_A_DIRECTORY' | 'UNREADABLE' | 'EMPTY' | 'BAD_FILE';

/** An error about the FSDD folder or one of its files (the message names the path). */
export class FsddError extends Error {
  readonly code: FsddErrorCode;
  constructor(code: FsddErrorCode, message: string) {
    super(message);
    this.name = 'FsddError';
    this.code = code;
  }
}

/** A recording found in a folder. */
export interface FsddFile extends FsddItem {
  /** Full path. */
  path: string;
  /** Bytes on disk. */
  size: number;
  /** From the WAV header (listing with `check: 'decode'` only). */
  sampleRate?: number;
  /** Samples per channel (listing with `check: 'decode'` only). */
  samples?: number;
}

/** Result of {@link listFsdd}. */
export interface FsddListing {
  /** The folder, resolved. */
  dir: string;
  /** Usable recordings, sorted by {@link compareFsddItems}. */
  items: FsddFile[];
  /** Files with an FSDD name that are not usable (policy 'skip'), sorted by name. */
  skipped: SkippedFile[];
  /** Entries whose names do not follow `{digit}_{speaker}_{index}.wav`, sorted. */
  ignored: string[];
}

/** Options of {@link listFsdd}. */
export interface ListFsddOptions {
  /**
   * 'decode' (default): read and decode every file (about 0.2 s for FSDD),
   * reporting unreadable or corrupt WAVs and filling sampleRate/samples.
   * 'stat': only check that each is a non-empty regular file.
   */
  check?: 'decode' | 'stat';
  /** 'skip' (default): report bad files in `skipped`; 'throw': an FsddError for the first one. */
  onBadFile?: BadFilePolicy;
}

/** A message without its leading `name: ` (the file is reported separately). */
function withoutName(message: string, name: string): string {
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

function statDir(dir: string): Stats {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FsddError('NOT_FOUND', `FSDD folder not found: ${dir} (expected a folder of {digit}_{speaker}_{index}.wav files; set FSDD_DIR)`);
    }
    throw new FsddError('UNREADABLE', `cannot read the FSDD folder ${dir}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new FsddError('NOT_A_DIRECTORY', `not a folder: ${dir}`);
  return st;
}

/**
 * Lists the FSDD recordings in a folder (not recursive): names following
 * `{digit}_{speaker}_{index}.wav` become items (official split from the
 * index), other names are listed in `ignored`, and files with a valid name
 * that cannot be used (not a regular file, empty, unreadable, corrupt WAV)
 * are skipped with a reason, or make it throw with `onBadFile: 'throw'`.
 * An empty folder gives an empty list (loading one throws).
 *
 * @throws {FsddError} NOT_FOUND, NOT_A_DIRECTORY, UNREADABLE; BAD_FILE with 'throw'
 */
export function listFsdd(dir: string, options: ListFsddOptions = {}): FsddListing {
  const root = path.resolve(dir);
  const check = options.check ?? 'decode';
  const policy = options.onBadFile ?? 'skip';
  if (check !== 'decode' && check !== 'stat') throw new RangeError(`listFsdd: check must be 'decode' or 'stat' (got ${String(check)})`);
  if (policy !== 'skip' && policy !== 'throw') throw new RangeError(`listFsdd: onBadFile must be 'skip' or 'throw' (got ${String(policy)})`);
  statDir(root);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (e) {
    throw new FsddError('UNREADABLE', `cannot list the FSDD folder ${root}: ${(e as Error).message}`);
  }
  names.sort();
  const items: FsddFile[] = [];
  const skipped: SkippedFile[] = [];
  const ignored: string[] = [];
  const skip = (file: string, reason: string): void => {
    if (policy === 'throw') throw new FsddError('BAD_FILE', `${path.join(root, file)}: ${reason}`);
    skipped.push({ file, reason });
  };
  for (const name of names) {
    const item = parseFsddName(name);
    if (item === null) {
      ignored.push(name);
      continue;
    }
    const full = path.join(root, name);
    let st: Stats;
    try {
      st = statSync(full);
    } catch (e) {
      skip(name, `cannot stat: ${(e as Error).message}`);
      continue;
    }
    if (!st.isFile()) {
      skip(name, 'not a regular file');
      continue;
    }
    if (st.size === 0) {
      skip(name, 'empty file (0 bytes)');
      continue;
    }
    const f: FsddFile = { ...item, path: full, size: st.size };
    if (check === 'decode') {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(full);
      } catch (e) {
        skip(name, `unreadable: ${(e as Error).message}`);
        continue;
      }
      try {
        const w = decodeWav(bytes, { name, mono: true });
        if (w.length === 0) {
          skip(name, 'the WAV file has no samples');
          continue;
        }
        f.sampleRate = w.sampleRate;
        f.samples = w.length;
      } catch (e) {
        if (!(e instanceof WavError)) throw e;
        skip(name, withoutName(e.message, name));
        continue;
      }
    }
    items.push(f);
  }
  items.sort(compareFsddItems);
  return { dir: root, items, skipped, ignored };
}

/** Progress of {@link loadFsddFeatures}. */
export interface LoadProgress {
  /** 'features': computing; 'cache': read from the cache. */
  phase: 'features' | 'cache';
  done: number;
  total: number;
}

/** Options of {@link loadFsddFeatures}. */
export interface LoadFsddOptions {
  /** 'train', 'test' or 'all' (default). */
  split?: FsddSelection;
  /**
   * Folder for the feature cache (created if missing). Omitted or null: no
   * cache. One file per (config, pipeline version, selected files and sizes),
   * e.g. 221 MB for all 3,000 clips with the default preset.
   */
  cacheDir?: string | null;
  /**
   * 'header' (default): check the cache file's size and header (key, shape,
   * offsets); 'full': also its SHA-256, catching flipped bits (about 2-3x
   * slower hits). See `cache.ts`.
   */
  verifyCache?: 'full' | 'header';
  /** Bad files: 'skip' (default, counted in `skipped`) or 'throw'. */
  onBadFile?: BadFilePolicy;
  onProgress?: (p: LoadProgress) => void;
}

/** What happened with the cache in {@link loadFsddFeatures}. */
export interface CacheOutcome {
  /**
   * 'off': no cacheDir; 'hit': read from the cache; 'built': computed and
   * stored; 'write-failed': computed, but the file could not be written (see
   * `writeError`).
   */
  status: 'off' | 'hit' | 'built' | 'write-failed';
  key: string;
  /** The cache file (when cacheDir was given). */
  path?: string;
  /** Why an existing cache file was not used (then rebuilt), e.g. 'checksum mismatch (corrupted data)'. */
  rebuiltBecause?: string;
  /** Why the new cache file could not be written (the features are still returned). */
  writeError?: string;
}

/** Result of {@link loadFsddFeatures}. */
export interface FsddFeatures {
  /** The clips, in {@link compareFsddItems} order; clip i at features[i * nBins * nFrames]. */
  items: FsddItem[];
  /** [n][nBins][nFrames], values in [0, 1]: a [n, nBins, nFrames, 1] tensor as is. */
  features: Float32Array;
  /** dB (min, max) of clip i at 2i, 2i + 1. */
  ranges: Float32Array;
  /** [n, nBins, nFrames] */
  shape: [number, number, number];
  /** Files that were not used, with reasons. */
  skipped: SkippedFile[];
  /** Names in the folder that are not FSDD recordings. */
  ignored: number;
  cache: CacheOutcome;
}

/** Files read, decoded and transformed together. */
const LOAD_CHUNK = 64;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Features of the FSDD recordings in a folder (one part of the official
 * split, or all), through an on-disk cache keyed by the config, the pipeline
 * version and the selected files' names and sizes.
 *
 * @throws {FsddError} missing folder, not a folder, no recordings (EMPTY),
 *   or a bad file with onBadFile 'throw'; {RangeError} invalid config
 */
export async function loadFsddFeatures(
  dsp: Dsp, dir: string, config: FeatureConfig, options: LoadFsddOptions = {},
): Promise<FsddFeatures> {
  const c = validateFeatureConfig(config);
  const shape = featureShape(c);
  const policy = options.onBadFile ?? 'skip';
  if (policy !== 'skip' && policy !== 'throw') throw new RangeError(`loadFsddFeatures: onBadFile must be 'skip' or 'throw' (got ${String(policy)})`);
  const listing = listFsdd(dir, { check: 'stat', onBadFile: policy });
  const ignored = listing.ignored.length;
  if (listing.items.length === 0) {
    throw new FsddError('EMPTY', `no FSDD recordings ({digit}_{speaker}_{index}.wav) in ${listing.dir}` +
      (ignored + listing.skipped.length > 0 ? ` (${ignored} other entries ignored, ${listing.skipped.length} bad files skipped)` : ' (the folder is empty)'));
  }
  const selected = selectSplit(listing.items, options.split ?? 'all');
  if (selected.length === 0) {
    throw new FsddError('EMPTY', `no recordings of the ${String(options.split)} split in ${listing.dir} (${listing.items.length} in total)`);
  }
  const key = featureCacheKey(c, selected.map((f) => ({ file: f.file, size: f.size })));
  const cache: CacheOutcome = { status: 'off', key };
  const cacheDir = options.cacheDir ?? null;
  let cacheFile: string | undefined;
  if (cacheDir !== null) {
    cacheFile = featureCachePath(path.resolve(cacheDir), key);
    cache.path = cacheFile;
    const r = readFeatureCache(cacheFile, { key, nBins: shape.nBins, nFrames: shape.nFrames }, { verify: options.verifyCache ?? 'header' });
    if (r.status === 'hit') {
      const skipped = [...listing.skipped, ...r.data.skipped];
      if (policy === 'throw' && skipped.length > 0) {
        throw new FsddError('BAD_FILE', `${path.join(listing.dir, skipped[0]!.file)}: ${skipped[0]!.reason}`);
      }
      options.onProgress?.({ phase: 'cache', done: r.data.shape[0], total: r.data.shape[0] });
      return {
        items: r.data.items, features: r.data.features, ranges: r.data.ranges, shape: r.data.shape,
        skipped, ignored, cache: { ...cache, status: 'hit' },
      };
    }
    if (r.status === 'invalid') cache.rebuiltBecause = r.reason;
  }

  // Compute.
  const total = selected.length;
  let features = new Float32Array(total * shape.size);
  let ranges = new Float32Array(2 * total);
  const items: FsddItem[] = [];
  const skipped: SkippedFile[] = [];
  for (let start = 0; start < total; start += LOAD_CHUNK) {
    const signals: Float32Array[] = [];
    const rates: number[] = [];
    for (const f of selected.slice(start, start + LOAD_CHUNK)) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(f.path);
      } catch (e) {
        const reason = `unreadable: ${(e as Error).message}`;
        if (policy === 'throw') throw new FsddError('BAD_FILE', `${f.path}: ${reason}`);
        skipped.push({ file: f.file, reason });
        continue;
      }
      const d = decodeClip(f.file, bytes, c);
      if (!d.ok) {
        const reason = withoutName(d.reason, f.file);
        if (policy === 'throw') throw new FsddError('BAD_FILE', `${f.path}: ${reason}`);
        skipped.push({ file: f.file, reason });
        continue;
      }
      signals.push(d.signal);
      rates.push(d.sampleRate);
      items.push({ file: f.file, digit: f.digit, speaker: f.speaker, index: f.index, split: f.split });
    }
    const at = items.length - signals.length;
    const b = featuresFromSignals(dsp, signals, rates, c, { out: features.subarray(at * shape.size, items.length * shape.size) });
    ranges.set(b.ranges, 2 * at);
    options.onProgress?.({ phase: 'features', done: Math.min(total, start + LOAD_CHUNK), total });
    await tick();
  }
  const n = items.length;
  if (n === 0) {
    throw new FsddError('EMPTY', `none of the ${total} selected recordings in ${listing.dir} could be used (first problem: ${skipped[0]?.file}: ${skipped[0]?.reason})`);
  }
  if (n < total) {
    features = features.slice(0, n * shape.size);
    ranges = ranges.slice(0, 2 * n);
  }
  const result: CachedFeatures = { key, items, skipped, features, ranges, shape: [n, shape.nBins, shape.nFrames] };
  if (cacheFile !== undefined) {
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeFeatureCache(cacheFile, c, result);
      cache.status = 'built';
    } catch (e) {
      cache.status = 'write-failed';
      cache.writeError = (e as Error).message;
    }
  }
  return {
    items, features, ranges, shape: result.shape,
    skipped: [...listing.skipped, ...skipped], ignored, cache,
  };
}
