/**
 * On-disk cache of preprocessed feature tensors (Node only).
 *
 * One file per (feature config, pipeline version, list of files with their
 * sizes), named by a SHA-256 of those, written atomically (temporary file in
 * the same folder, fsync, rename) and verified on load.
 *
 * ## File layout (format 1, little-endian)
 *
 *     0    8  magic "SVFEATS\0"
 *     8    4  uint32 format version (1)
 *     12   4  uint32 H = byte length of the header
 *     16   H  header, UTF-8 JSON: { key, format, pipelineVersion, config,
 *             shape: [n, nBins, nFrames], items, skipped, rangesOffset,
 *             featuresOffset, totalBytes, sha256 }
 *     ...     zero padding to a multiple of 8
 *     R    8n       ranges: float32 (min, max) per clip
 *     F    4n * nBins * nFrames   features: float32, [n][nBins][nFrames]
 *
 * Verification on load (`verify: 'header'`, the default): magic, version,
 * header JSON, key equal to the expected key, shape equal to the config's,
 * item count, offsets and the exact file size. That catches truncated,
 * foreign, stale and garbled files; partial writes cannot happen (atomic
 * rename). `verify: 'full'` also checks the SHA-256 of the ranges and
 * features stored in the header, which catches flipped bits too but costs
 * 0.2-0.35 s for the 221 MB of the whole FSDD with the default preset
 * (measured: a hit takes ~0.2 s with 'header', 0.4-0.85 s with 'full', while
 * computing everything takes 1.0-1.6 s on the loaded 2-core machine).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync,
} from 'node:fs';
import path from 'node:path';

import { FEATURE_PIPELINE_VERSION, featureConfigKey, type FeatureConfig } from '../features/config.js';
import type { FsddItem, SkippedFile } from './fsdd.js';

/** Version of the cache file layout (part of the key). */
export const FEATURE_CACHE_FORMAT = 1;

const MAGIC = 'SVFEATS\0';
const PREAMBLE = 16;
const MAX_HEADER = 64 * 1024 * 1024;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What a cache file holds. */
export interface CachedFeatures {
  /** The key it was stored under ({@link featureCacheKey}). */
  key: string;
  /** The clips, in order (files that were skipped are not in it). */
  items: FsddItem[];
  /** Files skipped when the cache was built. */
  skipped: SkippedFile[];
  /** [n][nBins][nFrames] */
  features: Float32Array;
  /** (min, max) dB per clip. */
  ranges: Float32Array;
  /** [n, nBins, nFrames] */
  shape: [number, number, number];
}

/** Outcome of {@link readFeatureCache}. */
export type CacheReadResult =
  | { status: 'hit'; data: CachedFeatures }
  | { status: 'missing' }
  | { status: 'invalid'; reason: string };

/** One source file in a cache key. */
export interface CacheSourceFile {
  file: string;
  size: number;
}

/**
 * The cache key: SHA-256 (hex) of the cache format, the pipeline version, the
 * canonical config ({@link featureConfigKey}: every field counts) and the
 * names and byte sizes of the source files, in order.
 */
export function featureCacheKey(config: FeatureConfig, files: readonly CacheSourceFile[]): string {
  const h = createHash('sha256');
  h.update(`specvae-feature-cache/format-${FEATURE_CACHE_FORMAT}/pipeline-${FEATURE_PIPELINE_VERSION}\n`);
  h.update(featureConfigKey(config));
  h.update('\n');
  for (const f of files) h.update(`${JSON.stringify(f.file)} ${f.size}\n`);
  return h.digest('hex');
}

/** Where the cache file of a key lives in `cacheDir`. */
export function featureCachePath(cacheDir: string, key: string): string {
  return path.join(cacheDir, `fsdd-features-${key.slice(0, 32)}.bin`);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes a file atomically: the parts go to a uniquely named temporary file
 * in the same folder, which is fsynced and then renamed over `file`. Readers
 * see the old file or the complete new one, never a partial one. If anything
 * fails (including the parts iterator throwing), the temporary file is
 * removed and `file` is untouched.
 */
export function writeFileAtomic(file: string, parts: Iterable<ArrayBufferView>): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o644);
  let closed = false;
  try {
    for (const part of parts) {
      const u8 = bytesOf(part);
      let off = 0;
      while (off < u8.length) off += writeSync(fd, u8, off, Math.min(u8.length - off, 1 << 30));
    }
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(tmp, file);
  } catch (e) {
    if (!closed) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* gone or never complete */ }
    throw e;
  }
  // Make the rename itself durable (best effort: not possible on every platform).
  try {
    const dfd = openSync(path.dirname(file), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* ignore */ }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

interface Header {
  key: string;
  format: number;
  pipelineVersion: number;
  config: FeatureConfig;
  shape: [number, number, number];
  items: FsddItem[];
  skipped: SkippedFile[];
  rangesOffset: number;
  featuresOffset: number;
  totalBytes: number;
  sha256: string;
}

function dataHash(ranges: Float32Array, features: Float32Array): string {
  return createHash('sha256').update(bytesOf(ranges)).update(bytesOf(features)).digest('hex');
}

/**
 * Writes a cache file atomically ({@link writeFileAtomic}).
 *
 * @throws {Error} on a big-endian host (the layout is little-endian) or an
 *   I/O error
 */
export function writeFeatureCache(file: string, config: FeatureConfig, data: CachedFeatures): void {
  if (!LITTLE_ENDIAN_HOST) throw new Error('feature cache: big-endian hosts are not supported');
  const [n, nBins, nFrames] = data.shape;
  if (data.features.length !== n * nBins * nFrames || data.ranges.length !== 2 * n || data.items.length !== n) {
    throw new RangeError('feature cache: features, ranges and items do not match the shape');
  }
  const headerOf = (rangesOffset: number): Header => ({
    key: data.key, format: FEATURE_CACHE_FORMAT, pipelineVersion: FEATURE_PIPELINE_VERSION, config,
    shape: [n, nBins, nFrames], items: data.items, skipped: data.skipped,
    rangesOffset, featuresOffset: rangesOffset + data.ranges.byteLength,
    totalBytes: rangesOffset + data.ranges.byteLength + data.features.byteLength,
    sha256: dataHash(data.ranges, data.features),
  });
  // The offsets are in the header, so iterate until its length is stable (twice at most).
  let rangesOffset = 0;
  let json = '';
  for (let k = 0; k < 4; k++) {
    json = JSON.stringify(headerOf(rangesOffset));
    const need = align8(PREAMBLE + Buffer.byteLength(json, 'utf8'));
    if (need === rangesOffset) break;
    rangesOffset = need;
  }
  const headerBytes = new TextEncoder().encode(json);
  const pre = new Uint8Array(rangesOffset);
  for (let i = 0; i < 8; i++) pre[i] = MAGIC.charCodeAt(i);
  const dv = new DataView(pre.buffer);
  dv.setUint32(8, FEATURE_CACHE_FORMAT, true);
  dv.setUint32(12, headerBytes.length, true);
  pre.set(headerBytes, PREAMBLE);
  writeFileAtomic(file, [pre, data.ranges, data.features]);
}

function readFully(fd: number, into: Uint8Array, position: number): boolean {
  let off = 0;
  while (off < into.length) {
    const got = readSync(fd, into, off, Math.min(into.length - off, 1 << 30), position + off);
    if (got === 0) return false;
    off += got;
  }
  return true;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Reads and verifies a cache file.
 *
 * @param expected the key the caller computed and the per-clip shape its config gives
 * @returns `hit` with the data, `missing` when there is no file, or
 *   `invalid` with the reason (the caller rebuilds it)
 */
export function readFeatureCache(
  file: string,
  expected: { key: string; nBins: number; nFrames: number },
  options: { verify?: 'full' | 'header' } = {},
): CacheReadResult {
  if (!LITTLE_ENDIAN_HOST) return { status: 'invalid', reason: 'big-endian host' };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'invalid', reason: `cannot open: ${(e as Error).message}` };
  }
  try {
    const size = fstatSync(fd).size;
    const invalid = (reason: string): CacheReadResult => ({ status: 'invalid', reason });
    if (size < PREAMBLE) return invalid(`file too short (${size} bytes)`);
    const pre = new Uint8Array(PREAMBLE);
    if (!readFully(fd, pre, 0)) return invalid('cannot read the preamble');
    for (let i = 0; i < 8; i++) if (pre[i] !== MAGIC.charCodeAt(i)) return invalid('bad magic (not a feature cache file)');
    const dv = new DataView(pre.buffer);
    const format = dv.getUint32(8, true);
    if (format !== FEATURE_CACHE_FORMAT) return invalid(`format ${format}, expected ${FEATURE_CACHE_FORMAT}`);
    const hlen = dv.getUint32(12, true);
    if (hlen > MAX_HEADER || PREAMBLE + hlen > size) return invalid(`header length ${hlen} does not fit the file (${size} bytes)`);
    const hb = new Uint8Array(hlen);
    if (!readFully(fd, hb, PREAMBLE)) return invalid('cannot read the header');
    let h: Header;
    try {
      h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hb)) as Header;
    } catch {
      return invalid('header is not valid JSON');
    }
    if (h === null || typeof h !== 'object') return invalid('header is not an object');
    if (h.key !== expected.key) return invalid('key mismatch');
    if (h.pipelineVersion !== FEATURE_PIPELINE_VERSION) return invalid(`pipeline version ${String(h.pipelineVersion)}`);
    if (!Array.isArray(h.shape) || h.shape.length !== 3 || !h.shape.every(isInt)) return invalid('bad shape');
    const [n, nBins, nFrames] = h.shape;
    if (nBins !== expected.nBins || nFrames !== expected.nFrames) {
      return invalid(`shape ${nBins} x ${nFrames}, expected ${expected.nBins} x ${expected.nFrames}`);
    }
    if (!Array.isArray(h.items) || h.items.length !== n) return invalid('item list does not match the shape');
    if (!Array.isArray(h.skipped)) return invalid('bad skipped list');
    const featBytes = n * nBins * nFrames * 4;
    if (!isInt(h.rangesOffset) || h.rangesOffset % 8 !== 0 || h.rangesOffset < PREAMBLE + hlen ||
        h.featuresOffset !== h.rangesOffset + 8 * n || h.totalBytes !== h.featuresOffset + featBytes) {
      return invalid('inconsistent offsets');
    }
    if (size !== h.totalBytes) return invalid(`size ${size} bytes, the header says ${String(h.totalBytes)}`);
    const ranges = new Float32Array(2 * n);
    const features = new Float32Array(n * nBins * nFrames);
    if (!readFully(fd, bytesOf(ranges), h.rangesOffset) || !readFully(fd, bytesOf(features), h.featuresOffset)) {
      return invalid('file ended early');
    }
    if ((options.verify ?? 'header') === 'full' && dataHash(ranges, features) !== h.sha256) {
      return invalid('checksum mismatch (corrupted data)');
    }
    return { status: 'hit', data: { key: h.key, items: h.items, skipped: h.skipped, features, ranges, shape: [n, nBins, nFrames] } };
  } finally {
    closeSync(fd);
  }
}
