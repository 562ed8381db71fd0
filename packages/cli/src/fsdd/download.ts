// Downloads the FSDD release archive and extracts its recordings/ folder,
// safely and verifiably:
//
// - The archive is streamed: network -> gunzip -> tar parser -> one file at a
//   time (never the whole archive in memory or on disk).
// - Only regular files directly inside `<top>/recordings/` are written, under
//   names that the manifest lists (plain file names), so nothing can land
//   outside the target. An entry anywhere in the archive with an absolute
//   path or a `..` component, and any link or special file inside
//   recordings/, makes us refuse the whole archive: a genuine release has
//   none. Entries outside recordings/ are read past and never created.
// - Every file is checked against the SHA-256 manifest as it arrives (size
//   first, from the tar header); the first mismatch stops the download.
// - Files go to a fresh temporary folder next to the target, which is renamed
//   into place only when all manifest files are there and verified. Any
//   failure (network, checksum, Ctrl-C, full disk) removes the temporary
//   folder; a temporary folder left by a killed run is removed by the next
//   run. A re-run therefore restarts cleanly (GitHub generates archives on
//   the fly, so there is no byte range to resume from).
// - A download that receives no data for `stallTimeoutMs` is aborted.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';
import { CliError, InterruptedError, errorMessage, fromSystemError } from '../errors.js';
import { formatBytes } from '../output.js';
import { checkFile, listSome, verifyFolder, type FolderReport, type Manifest } from './manifest.js';
import { datasetDir } from './source.js';
import { processAlive } from '../process-alive.js';

export const MARKER_FILE = '.specvae-fsdd.json';

export interface DownloadProgress {
  /** Compressed bytes received so far. */
  bytes: number;
  /** Content-Length, when the server sends one. */
  total: number | undefined;
  /** Recordings extracted and verified so far. */
  files: number;
  expectedFiles: number;
}

export interface FetchDatasetOptions {
  url: string;
  cacheDir: string;
  manifest: Manifest;
  /** Abort when no data arrives for this long (default 30 s). */
  stallTimeoutMs?: number;
  /** Ctrl-C: aborts the download and cleans up. */
  signal?: AbortSignal;
  /** Called when the response headers arrive (total may be undefined). */
  onStart?: (total: number | undefined) => void;
  onProgress?: (p: DownloadProgress) => void;
  /** Notes for the user (stderr). */
  onNote?: (message: string) => void;
  /** Called when the cached copy is being verified. */
  onVerifyProgress?: (done: number, total: number) => void;
  userAgent?: string;
}

export interface FetchDatasetResult {
  dir: string;
  /** 'cache': an earlier verified download was reused; 'download': fetched now. */
  source: 'cache' | 'download';
  count: number;
  bytes: number;
  /** Compressed bytes downloaded (0 when cached). */
  downloaded: number;
  url: string;
  report?: FolderReport;
}

interface Marker {
  tag: string;
  url: string;
  count: number;
  completedAt: string;
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Removes temporary folders of earlier runs that are no longer running. */
async function removeStalePartials(cacheDir: string, tag: string): Promise<void> {
  const prefix = `.fsdd-${tag}.partial-`;
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) && !name.startsWith(`.fsdd-${tag}.stale-`)) continue;
    const pid = Number(name.slice(name.lastIndexOf('.') + 1).split('-')[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) continue;
    await rm(join(cacheDir, name), { recursive: true, force: true });
  }
}

function proxyDispatcher(url: string, env: NodeJS.ProcessEnv): Dispatcher | undefined {
  const https = url.startsWith('https:');
  const proxy = https
    ? env['HTTPS_PROXY'] ?? env['https_proxy']
    : env['HTTP_PROXY'] ?? env['http_proxy'];
  return proxy ? new EnvHttpProxyAgent() : undefined;
}

/** A readable line for a failed request (DNS, refused, reset, TLS ...). */
function networkMessage(e: unknown, url: string): string {
  let cause: unknown = e;
  for (let i = 0; i < 4 && cause instanceof Error && cause.cause !== undefined; i++) cause = cause.cause;
  const code = (cause as { code?: string } | undefined)?.code;
  const host = (() => { try { return new URL(url).host; } catch { return url; } })();
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host} (no internet connection?); use --data DIR to use a local copy of FSDD`;
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return `connection to ${host} closed unexpectedly`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connection to ${host} timed out`;
    default:
      return `cannot download ${url}: ${errorMessage(cause)}`;
  }
}

/** Why an archive entry is refused, or undefined when its path is harmless. */
export function unsafePathReason(path: string): string | undefined {
  if (path.includes('\0')) return 'has a NUL byte in its path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) return 'has an absolute path';
  if (path.includes('\\')) return 'has a backslash in its path';
  if (path.split('/').includes('..')) return 'points outside the target folder (..)';
  return undefined;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Makes sure a verified copy of the manifest's recordings is in
 * `<cacheDir>/fsdd-<tag>/`, downloading and extracting `url` when needed.
 */
export async function fetchDataset(options: FetchDatasetOptions): Promise<FetchDatasetResult> {
  const { manifest, url } = options;
  const cacheDir = resolve(options.cacheDir);
  const finalDir = datasetDir(cacheDir, manifest.tag);
  const note = options.onNote ?? (() => undefined);
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (e) {
    throw fromSystemError(e, 'cannot create the cache folder');
  }
  await removeStalePartials(cacheDir, manifest.tag);

  // An earlier download: reuse it when it still verifies.
  const existing = await stat(finalDir).catch(() => undefined);
  if (existing) {
    const marker = await readMarker(finalDir);
    if (!marker) {
      throw new CliError(
        `${finalDir} exists but was not written by specvae; remove it or choose another --cache`,
        { code: 'CACHE_CONFLICT' },
      );
    }
    const report = await verifyFolder(finalDir, manifest, options.onVerifyProgress);
    if (report.ok) {
      return { dir: finalDir, source: 'cache', count: report.verified, bytes: report.bytes, downloaded: 0, url: marker.url, report };
    }
    note(`the cached copy in ${finalDir} no longer verifies (${report.missing.length} missing, ${report.mismatched.length} changed); downloading it again`);
    const stale = join(cacheDir, `.fsdd-${manifest.tag}.stale-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(finalDir, stale);
    await rm(stale, { recursive: true, force: true });
  }

  const tmpDir = join(cacheDir, `.fsdd-${manifest.tag}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(tmpDir);
  } catch (e) {
    throw fromSystemError(e, 'cannot create a folder in the cache');
  }
  try {
    const downloaded = await downloadInto(tmpDir, options);
    const marker: Marker = { tag: manifest.tag, url, count: manifest.count, completedAt: new Date().toISOString() };
    await writeFile(join(tmpDir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
    try {
      await rename(tmpDir, finalDir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      // Another run finished first: use its copy if it verifies.
      await rm(tmpDir, { recursive: true, force: true });
      const report = await verifyFolder(finalDir, manifest);
      if (!report.ok) throw new CliError(`${finalDir} was written by another run and does not verify; run the command again`);
      return { dir: finalDir, source: 'cache', count: report.verified, bytes: report.bytes, downloaded, url };
    }
    return { dir: finalDir, source: 'download', count: manifest.count, bytes: manifest.bytes, downloaded, url };
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    throw fromSystemError(e, 'cannot write');
  }
}

/** Streams the archive into `dir`, verifying each recording; returns the compressed byte count. */
async function downloadInto(dir: string, options: FetchDatasetOptions): Promise<number> {
  const { manifest, url } = options;
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => { stalled = true; controller.abort(new Error('stalled')); }, stallMs);
  };
  const onAbort = (): void => controller.abort(new InterruptedError('download interrupted'));
  if (options.signal?.aborted) throw new InterruptedError('download interrupted');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let fatal: Error | undefined;
  const fail = (e: Error): void => {
    fatal ??= e;
    controller.abort(e);
  };
  const folder = manifest.folder;
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  let total: number | undefined;
  const progress = (): void => options.onProgress?.({ bytes, total, files, expectedFiles: manifest.count });

  const handleEntry = (entry: ReadEntry): void => {
    if (fatal) { entry.resume(); return; }
    const path = entry.path;
    const reason = unsafePathReason(path);
    if (reason) {
      entry.resume();
      fail(new CliError(`refusing the archive: entry "${path}" ${reason}`, { code: 'UNSAFE_ARCHIVE' }));
      return;
    }
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    const at = parts[0] === folder ? 0 : parts[1] === folder ? 1 : -1;
    if (at < 0 || parts.length <= at + 1) { entry.resume(); return; } // outside recordings/ (or the folder itself)
    if (/Link$/.test(entry.type)) {
      entry.resume();
      fail(new CliError(`refusing the archive: entry "${path}" is a ${entry.type === 'Link' ? 'hard' : 'symbolic'} link (to "${entry.linkpath ?? ''}")`, { code: 'UNSAFE_ARCHIVE' }));
      return;
    }
    if (entry.type === 'Directory') { entry.resume(); return; }
    if (!FILE_TYPES.has(entry.type)) {
      entry.resume();
      fail(new CliError(`refusing the archive: entry "${path}" is a ${entry.type}, not a regular file`, { code: 'UNSAFE_ARCHIVE' }));
      return;
    }
    if (parts.length !== at + 2) { entry.resume(); return; } // nested deeper: not a recording
    const name = parts[at + 1]!;
    const expected = manifest.files[name];
    if (!expected) {
      entry.resume();
      fail(new CliError(`the archive has ${folder}/${name}, which the ${manifest.tag} manifest does not list; it is not the expected release`, { code: 'UNEXPECTED_FILE' }));
      return;
    }
    if (seen.has(name)) {
      entry.resume();
      fail(new CliError(`the archive has ${folder}/${name} twice; refusing it`, { code: 'UNSAFE_ARCHIVE' }));
      return;
    }
    seen.add(name);
    if (entry.size !== expected.size) {
      entry.resume();
      fail(new CliError(`checksum mismatch: ${folder}/${name} is ${entry.size} bytes, the ${manifest.tag} manifest says ${expected.size}; the download is corrupt or not the expected release`, { code: 'CHECKSUM_MISMATCH' }));
      return;
    }
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => {
      if (fatal) return;
      const data = Buffer.concat(chunks);
      const why = checkFile(data, expected);
      if (why) {
        fail(new CliError(`checksum mismatch: ${folder}/${name} (${why}); the download is corrupt or not the expected release`, { code: 'CHECKSUM_MISMATCH' }));
        return;
      }
      const target = resolve(dir, name);
      if (relative(dir, target).includes(sep) || !target.startsWith(dir + sep)) {
        fail(new CliError(`refusing the archive: entry "${path}" would land outside ${dir}`, { code: 'UNSAFE_ARCHIVE' }));
        return;
      }
      try {
        writeFileSync(target, data, { flag: 'wx' });
      } catch (e) {
        fail(fromSystemError(e, 'cannot write') as Error);
        return;
      }
      files++;
      progress();
    });
  };

  const parser = new Parser({ strict: true, onReadEntry: handleEntry });
  const parsed = new Promise<void>((resolveParsed, rejectParsed) => {
    parser.on('end', () => resolveParsed());
    parser.on('error', (e: Error) => rejectParsed(e));
  });
  parsed.catch(() => undefined); // handled below
  parser.on('error', (e: Error) => fail(new CliError(`the download is not a valid .tar.gz archive (${errorMessage(e)})`, { code: 'BAD_ARCHIVE', cause: e })));

  const abortedPromise = new Promise<void>((r) => controller.signal.addEventListener('abort', () => r(), { once: true }));
  let succeeded = false;
  try {
    arm();
    let response;
    try {
      const dispatcher = proxyDispatcher(url, process.env);
      response = await fetch(url, {
        signal: controller.signal,
        redirect: 'follow',
        headers: { 'user-agent': options.userAgent ?? 'specvae', accept: 'application/gzip, application/x-gzip, application/octet-stream, */*' },
        ...(dispatcher ? { dispatcher } : {}),
      });
    } catch (e) {
      throw translate(e, 0);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new CliError(`download failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`, { code: 'HTTP_ERROR', details: { status: response.status, url } });
    }
    const length = Number(response.headers.get('content-length'));
    total = Number.isFinite(length) && length > 0 ? length : undefined;
    options.onStart?.(total);
    if (!response.body) throw new CliError(`download failed: empty response from ${url}`, { code: 'HTTP_ERROR' });
    try {
      for await (const chunk of response.body) {
        arm();
        bytes += chunk.byteLength;
        progress();
        const ok = parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (fatal) throw fatal;
        if (!ok) await Promise.race([new Promise<void>((r) => parser.once('drain', () => r())), abortedPromise]);
        if (fatal) throw fatal;
      }
    } catch (e) {
      throw translate(e, bytes);
    }
    parser.end();
    try {
      await parsed;
    } catch {
      // reported through `fatal`
    }
    if (fatal) throw fatal;
    const missing = Object.keys(manifest.files).filter((n) => !seen.has(n));
    if (missing.length) {
      throw new CliError(
        `the archive lacks ${missing.length} of the ${manifest.count} recordings in the ${manifest.tag} manifest (${listSome(missing)}); it is not the expected release`,
        { code: 'MISSING_FILES', details: { missing } },
      );
    }
    succeeded = true;
    return bytes;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (!succeeded) {
      fatal ??= new Error('aborted');
      parser.abort(fatal);
    }
  }

  function translate(e: unknown, received: number): unknown {
    if (fatal) return fatal;
    if (options.signal?.aborted) return new InterruptedError('download interrupted');
    if (stalled) {
      return new CliError(
        `download stalled: no data for ${Math.round(stallMs / 1000)} s from ${url}${received ? ` after ${formatBytes(received)}` : ''}; check the network and run the command again`,
        { code: 'STALLED' },
      );
    }
    if (e instanceof CliError) return e;
    if (received > 0) {
      return new CliError(
        `download interrupted after ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}: ${networkMessage(e, url).replace(/^cannot download \S+: /, '')}; run the command again`,
        { code: 'INTERRUPTED_DOWNLOAD', cause: e },
      );
    }
    return new CliError(networkMessage(e, url), { code: 'NETWORK', cause: e });
  }
}
