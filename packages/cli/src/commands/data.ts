// `specvae data`: get the Free Spoken Digit Dataset and verify it.
//
//   specvae data                       download v1.0.10 into the cache (or reuse a verified copy)
//   specvae data --data DIR            verify a local folder (also FSDD_DIR=DIR)
import { resolve } from 'node:path';
import { Option } from 'commander';
import { action, type CommandContext, type CommandModule } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { fetchDataset } from '../fsdd/download.js';
import { listSome, loadManifest, verifyFolder, type FolderReport, type Manifest } from '../fsdd/manifest.js';
import { defaultCacheDir, FSDD_URL } from '../fsdd/source.js';
import { formatBytes, formatDuration } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { VERSION } from '../version.js';

export interface DataOptions {
  data?: string;
  cache?: string;
  url?: string;
  timeout?: string;
  manifest?: string;
}

/** What `specvae data --json` prints on success. */
export interface DataReport {
  ok: true;
  dataset: string;
  tag: string;
  dir: string;
  count: number;
  bytes: number;
  source: 'local' | 'cache' | 'download';
  url?: string;
  downloadedBytes?: number;
  extra: string[];
  seconds: number;
}

function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds, got "${value}"`);
  return n;
}

function verifyProgress(ctx: CommandContext, total: number): { progress: Progress; onProgress: (d: number, t: number) => void } {
  const progress = createProgress(ctx.out, { label: 'verify', total, itemName: 'recording', lineIntervalMs: 1000 });
  return { progress, onProgress: (done) => progress.update(done) };
}

/** Validates a local folder; throws a CliError listing what is wrong. */
async function validateLocal(dir: string, manifest: Manifest, ctx: CommandContext): Promise<FolderReport> {
  ctx.out.note(`verifying ${dir} against the FSDD ${manifest.tag} manifest (${manifest.count} recordings)`);
  const { progress, onProgress } = verifyProgress(ctx, manifest.count);
  let report: FolderReport;
  try {
    report = await verifyFolder(dir, manifest, onProgress);
  } finally {
    progress.stop();
  }
  if (report.extra.length) {
    ctx.out.warn(`${report.extra.length} .wav file${report.extra.length === 1 ? '' : 's'} in ${dir} not in the manifest: ${listSome(report.extra, 5)}`);
  }
  if (!report.ok) {
    const max = 10;
    for (const name of report.missing.slice(0, max)) ctx.out.note(`  missing   ${name}`);
    if (report.missing.length > max) ctx.out.note(`  ... and ${report.missing.length - max} more missing`);
    for (const m of report.mismatched.slice(0, max)) ctx.out.note(`  corrupted ${m.name}: ${m.reason}`);
    if (report.mismatched.length > max) ctx.out.note(`  ... and ${report.mismatched.length - max} more corrupted`);
    const parts: string[] = [];
    if (report.missing.length) parts.push(`${report.missing.length} missing (${listSome(report.missing)})`);
    if (report.mismatched.length) parts.push(`${report.mismatched.length} corrupted (${listSome(report.mismatched.map((m) => m.name))})`);
    throw new CliError(
      `${dir} does not match FSDD ${manifest.tag}: ${parts.join(', ')}; ${report.verified} of ${report.expected} recordings verified`,
      {
        code: 'DATA_MISMATCH',
        details: { dir, expected: report.expected, verified: report.verified, missing: report.missing, mismatched: report.mismatched, extra: report.extra },
      },
    );
  }
  return report;
}

/** Downloads FSDD into the cache (or reuses a verified cached copy), with progress on stderr. */
export async function downloadDataset(opts: DataOptions, manifest: Manifest, ctx: CommandContext): Promise<DataReport> {
  const t0 = performance.now();
  const cacheDir = resolve(opts.cache ?? defaultCacheDir(ctx.env));
  const url = opts.url ?? FSDD_URL;
  const stallTimeoutMs = parseSeconds(opts.timeout ?? '30', '--timeout') * 1000;
  let bar: Progress | undefined;
  let verify: { progress: Progress; onProgress: (d: number, t: number) => void } | undefined;
  let result;
  try {
    result = await fetchDataset({
      url, cacheDir, manifest, stallTimeoutMs, signal: ctx.signal,
      userAgent: `specvae/${VERSION} (+https://github.com/${manifest.repository})`,
      onNote: (m) => ctx.out.note(m),
      onVerifyProgress: (done, total) => {
        if (!verify) {
          ctx.out.note(`verifying the cached copy in ${cacheDir}`);
          verify = verifyProgress(ctx, total);
        }
        verify.onProgress(done, total);
      },
      onStart: (total) => {
        verify?.progress.stop();
        ctx.out.note(`downloading FSDD ${manifest.tag} from ${url}`);
        bar = createProgress(ctx.out, { label: 'download', unit: 'bytes', ...(total ? { total } : {}) });
      },
      onProgress: (p) => bar?.update(p.bytes, { recordings: `${p.files}/${p.expectedFiles}` }),
    });
  } finally {
    verify?.progress.stop();
    bar?.stop();
  }
  return {
    ok: true, dataset: manifest.dataset, tag: manifest.tag, dir: result.dir, count: result.count, bytes: result.bytes,
    source: result.source, url: result.url, downloadedBytes: result.downloaded, extra: result.report?.extra ?? [],
    seconds: (performance.now() - t0) / 1000,
  };
}

export const dataCommand: CommandModule = {
  name: 'data',
  register(program, invocation) {
    return program
      .command('data')
      .description(`get the Free Spoken Digit Dataset (${'v1.0.10'}, 3,000 recordings) and verify every file against its SHA-256 manifest`)
      .addOption(new Option('--data <dir>', 'verify a local folder of FSDD recordings instead of downloading').env('FSDD_DIR'))
      .addOption(new Option('--cache <dir>', 'cache folder for the download (default: $XDG_CACHE_HOME/specvae or ~/.cache/specvae)').conflicts('data'))
      .addOption(new Option('--url <url>', `release archive to download, a .tar.gz (default: ${FSDD_URL})`).conflicts('data'))
      .addOption(new Option('--timeout <seconds>', 'give up when the download receives no data for this long (default: 30)'))
      .addOption(new Option('--manifest <file>', 'SHA-256 manifest to verify against (for tests)').hideHelp())
      .addHelpText('after', `
The download is the tagged release archive of github.com/Jakobovski/free-spoken-digit-dataset;
only its recordings/ folder is extracted, into <cache>/fsdd-v1.0.10, and only once every file
verifies. An interrupted run leaves no partial folder behind; run it again to restart.
HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured.

FSDD recordings: by the FSDD contributors, licensed CC BY-SA 4.0.

Examples:
  $ specvae data
  $ specvae data --cache /tmp/specvae-cache
  $ specvae data --data ../shared/fsdd
  $ FSDD_DIR=../shared/fsdd specvae data --json`)
      .action(action<DataOptions>(invocation, async (opts, ctx) => {
        const manifest = loadManifest(opts.manifest ? resolve(opts.manifest) : undefined);
        if (opts.data !== undefined) {
          if (opts.data === '') throw new UsageError('--data (or FSDD_DIR) is empty');
          const t0 = performance.now();
          const dir = resolve(opts.data);
          const report = await validateLocal(dir, manifest, ctx);
          const value: DataReport = {
            ok: true, dataset: manifest.dataset, tag: manifest.tag, dir, count: report.verified, bytes: report.bytes,
            source: 'local', extra: report.extra, seconds: (performance.now() - t0) / 1000,
          };
          ctx.out.result(
            `FSDD ${manifest.tag}: all ${report.verified} recordings verified in ${dir} (${formatBytes(report.bytes)}, ${formatDuration(report.seconds)})`,
            value,
          );
          return;
        }
        const value = await downloadDataset(opts, manifest, ctx);
        const how = value.source === 'download'
          ? `downloaded (${formatBytes(value.downloadedBytes ?? 0)}) and verified`
          : 'already downloaded, verified';
        ctx.out.result([
          `FSDD ${manifest.tag}: ${value.count} recordings ${how} in ${value.dir}`,
          `use it with: --data ${value.dir}`,
        ], value);
      }));
  },
};
