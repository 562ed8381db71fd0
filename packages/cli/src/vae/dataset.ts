// FSDD for the model commands: which folder (--data / FSDD_DIR, else the
// downloaded copy in the cache, downloaded now when missing), and the
// features of a split through @specvae/vae-model's on-disk feature cache,
// with progress and a warning that counts the skipped files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dsp } from '@specvae/dsp-wasm';
import type { FeatureConfig, FsddItem, FsddSelection } from '@specvae/vae-model';
import { loadFsddFeatures, type FsddFeatures } from '@specvae/vae-model/node';
import type { CommandContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { downloadDataset } from '../commands/data.js';
import { MARKER_FILE } from '../fsdd/download.js';
import { listSome, loadManifest } from '../fsdd/manifest.js';
import { datasetDir, defaultCacheDir, FSDD_TAG } from '../fsdd/source.js';
import { formatDuration } from '../output.js';
import { createProgress } from '../progress.js';
import { asCliError } from './engine.js';
import { pathKind } from './files.js';

export interface DataFlags {
  data?: string;
  cache?: string;
  strict?: boolean;
}

export function cacheRoot(flags: DataFlags, env: NodeJS.ProcessEnv): string {
  return resolve(flags.cache ?? defaultCacheDir(env));
}

/** Where the feature cache lives: `<cache>/features`. */
export function featureCacheDir(flags: DataFlags, env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(flags, env), 'features');
}

export interface DataSource {
  dir: string;
  source: 'local' | 'cache' | 'download';
}

/**
 * The FSDD folder to use: `--data` / FSDD_DIR, else the verified download in
 * the cache, else (with `download`) downloads it now.
 */
export async function resolveData(flags: DataFlags, ctx: CommandContext, { download = true } = {}): Promise<DataSource> {
  if (flags.data !== undefined) {
    if (flags.data.trim() === '') throw new UsageError('--data (or FSDD_DIR) is empty');
    const dir = resolve(flags.data);
    const kind = await pathKind(dir);
    if (kind === null) throw new CliError(`FSDD folder ${dir} does not exist; pass the folder of FSDD recordings with --data (or FSDD_DIR)`, { code: 'NOT_FOUND' });
    if (kind !== 'dir') throw new CliError(`--data ${flags.data} is not a folder; pass the folder of FSDD recordings`, { code: 'NOT_A_DIRECTORY' });
    return { dir, source: 'local' };
  }
  const cache = cacheRoot(flags, ctx.env);
  const cached = datasetDir(cache, FSDD_TAG);
  if (existsSync(join(cached, MARKER_FILE))) return { dir: cached, source: 'cache' };
  if (!download) {
    throw new CliError(`no FSDD data: pass --data DIR (or set FSDD_DIR), or run \`specvae data\` to download it into ${cache}`, { code: 'NO_DATA' });
  }
  ctx.out.note(`no --data given and no FSDD in ${cache}: downloading it (use --data DIR for a local copy)`);
  const report = await downloadDataset({ cache }, loadManifest(), ctx);
  return { dir: report.dir, source: report.source === 'local' ? 'local' : 'download' };
}

export interface SplitFeatures {
  items: FsddItem[];
  /** [n][bins][frames] in [0, 1]. */
  x: Float32Array;
  /** dB (min, max) per clip. */
  ranges: Float32Array;
  n: number;
  size: number;
}

/**
 * Features of one part of the official split (test: takes 0-4, train: 5-49),
 * cached under `<cache>/features`. Unusable files are skipped with a warning
 * that counts them, or are fatal with --strict.
 */
export async function loadSplit(
  ctx: CommandContext, dsp: Dsp, dir: string, features: FeatureConfig, split: FsddSelection, flags: DataFlags,
): Promise<SplitFeatures> {
  const t0 = performance.now();
  const progress = createProgress(ctx.out, { label: `features (${split})`, itemName: 'recording', lineIntervalMs: 2000 });
  let r: FsddFeatures;
  try {
    r = await loadFsddFeatures(dsp, dir, features, {
      split,
      cacheDir: featureCacheDir(flags, ctx.env),
      onBadFile: flags.strict ? 'throw' : 'skip',
      onProgress: (p) => {
        progress.setTotal(p.total);
        progress.update(p.done);
      },
    });
  } catch (e) {
    const err = asCliError(e);
    if (err instanceof CliError && err.code === 'FSDD_BAD_FILE') {
      throw new CliError(`${err.message} (--strict: stopping at the first unusable recording)`, { code: err.code, cause: e });
    }
    throw err;
  } finally {
    progress.stop();
  }
  if (r.skipped.length) {
    ctx.out.warn(`skipped ${r.skipped.length} unusable recording${r.skipped.length === 1 ? '' : 's'} in ${dir}: ${
      listSome(r.skipped.map((s) => `${s.file} (${s.reason})`), 3)} (--strict makes this an error)`);
  }
  if (r.cache.status === 'write-failed') ctx.out.warn(`could not write the feature cache (${r.cache.writeError ?? 'unknown reason'}); continuing without it`);
  const size = r.shape[1] * r.shape[2];
  ctx.out.debug(`features ${split}: ${r.shape[0]} clips (${r.cache.status}) in ${formatDuration((performance.now() - t0) / 1000)}`);
  return { items: r.items, x: r.features, ranges: r.ranges, n: r.shape[0], size };
}

/** A subset of clips (indices into `items`), copied into new arrays. */
export function subset(s: SplitFeatures, indices: readonly number[]): SplitFeatures {
  const x = new Float32Array(indices.length * s.size);
  const ranges = new Float32Array(2 * indices.length);
  indices.forEach((src, i) => {
    x.set(s.x.subarray(src * s.size, (src + 1) * s.size), i * s.size);
    ranges[2 * i] = s.ranges[2 * src]!;
    ranges[2 * i + 1] = s.ranges[2 * src + 1]!;
  });
  return { items: indices.map((i) => s.items[i]!), x, ranges, n: indices.length, size: s.size };
}

/**
 * At most `limit` indices spread over the digits and speakers: round-robin
 * over the digits, each digit's clips in their (speaker, take) order
 * interleaved by speaker, so 10 clips are one per digit.
 */
export function spreadIndices(items: readonly FsddItem[], limit: number): number[] {
  const byDigit = new Map<number, number[]>();
  items.forEach((it, i) => {
    const list = byDigit.get(it.digit) ?? [];
    list.push(i);
    byDigit.set(it.digit, list);
  });
  const queues = [...byDigit.keys()].sort((a, b) => a - b).map((d) => interleaveBySpeaker(items, byDigit.get(d)!));
  const out: number[] = [];
  for (let round = 0; out.length < Math.min(limit, items.length); round++) {
    for (const q of queues) {
      if (round < q.length && out.length < limit) out.push(q[round]!);
    }
  }
  return out;
}

function interleaveBySpeaker(items: readonly FsddItem[], indices: number[]): number[] {
  const bySpeaker = new Map<string, number[]>();
  for (const i of indices) {
    const s = items[i]!.speaker;
    const list = bySpeaker.get(s) ?? [];
    list.push(i);
    bySpeaker.set(s, list);
  }
  const lists = [...bySpeaker.values()];
  const out: number[] = [];
  for (let k = 0; out.length < indices.length; k++) for (const l of lists) if (k < l.length) out.push(l[k]!);
  return out;
}
