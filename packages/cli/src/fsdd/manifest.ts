// The SHA-256 manifest of the FSDD recordings (data/fsdd-v1.0.10.sha256.json,
// written by scripts/make-manifest.mjs) and the check of a folder against it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, fromSystemError } from '../errors.js';

export const MANIFEST_FORMAT = 'specvae-fsdd-manifest/1';

export interface ManifestFile {
  size: number;
  sha256: string;
}

export interface Manifest {
  format: string;
  dataset: string;
  repository: string;
  /** Release tag, e.g. 'v1.0.10'. */
  tag: string;
  /** The folder of the release archive that holds the files, e.g. 'recordings'. */
  folder: string;
  license: string;
  count: number;
  bytes: number;
  files: Record<string, ManifestFile>;
}

/** The manifest shipped with the package: the 3,000 recordings of FSDD v1.0.10. */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../data/fsdd-v1.0.10.sha256.json', import.meta.url));

/** A plain file name that cannot point anywhere but into the folder it is joined to. */
export function isSafeFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && name !== '.' && name !== '..' && name.length <= 255;
}

/** Checks a parsed manifest; throws a CliError naming the first problem. */
export function parseManifest(value: unknown, source: string): Manifest {
  const bad = (why: string): never => {
    throw new CliError(`invalid FSDD manifest ${source}: ${why}`, { code: 'BAD_MANIFEST' });
  };
  if (!value || typeof value !== 'object') bad('not a JSON object');
  const m = value as Partial<Manifest>;
  if (m.format !== MANIFEST_FORMAT) bad(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (typeof m.tag !== 'string' || !/^[A-Za-z0-9._-]+$/.test(m.tag)) bad('missing or unusable "tag"');
  if (typeof m.folder !== 'string' || !isSafeFileName(m.folder)) bad('missing or unusable "folder"');
  if (!m.files || typeof m.files !== 'object') bad('missing "files"');
  let bytes = 0;
  const entries = Object.entries(m.files as Record<string, unknown>);
  if (entries.length === 0) bad('no files');
  for (const [name, f] of entries) {
    if (!isSafeFileName(name)) bad(`unsafe file name ${JSON.stringify(name)}`);
    const file = f as Partial<ManifestFile> | null;
    if (!file || !Number.isSafeInteger(file.size) || (file.size as number) < 0) bad(`bad size for ${name}`);
    if (typeof file!.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file!.sha256)) bad(`bad sha256 for ${name}`);
    bytes += file!.size as number;
  }
  return {
    format: m.format!, dataset: m.dataset ?? 'FSDD', repository: m.repository ?? '', tag: m.tag!, folder: m.folder!,
    license: m.license ?? '', count: entries.length, bytes, files: m.files as Record<string, ManifestFile>,
  };
}

/** Loads a manifest file (default: the packaged v1.0.10 manifest). */
export function loadManifest(path: string = DEFAULT_MANIFEST_PATH): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fromSystemError(e, 'cannot read the FSDD manifest');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`invalid FSDD manifest ${path}: not valid JSON (${(e as Error).message})`, { code: 'BAD_MANIFEST' });
  }
  return parseManifest(value, path);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Mismatch {
  name: string;
  /** Human-readable reason, e.g. 'size 4812 bytes, expected 4810' or 'SHA-256 differs'. */
  reason: string;
}

export interface FolderReport {
  dir: string;
  tag: string;
  /** Files in the manifest. */
  expected: number;
  /** Files present and identical to the manifest. */
  verified: number;
  bytes: number;
  missing: string[];
  mismatched: Mismatch[];
  /** .wav files in the folder that the manifest does not list (not an error). */
  extra: string[];
  ok: boolean;
  seconds: number;
}

/** Compares one file's bytes with its manifest entry: undefined when it matches, else the reason. */
export function checkFile(data: Uint8Array, expected: ManifestFile): string | undefined {
  if (data.length !== expected.size) return `size ${data.length} bytes, expected ${expected.size}`;
  const got = sha256(data);
  if (got !== expected.sha256) return `SHA-256 ${got.slice(0, 12)}..., expected ${expected.sha256.slice(0, 12)}...`;
  return undefined;
}

/**
 * Verifies every manifest file in `dir` (size, then SHA-256) and lists the
 * missing, mismatched and extra .wav files. Other files (README.md, ...) are
 * ignored. Reads 8 files at a time; the 3,000 FSDD files take about a second.
 */
export async function verifyFolder(
  dir: string,
  manifest: Manifest,
  onProgress?: (done: number, total: number) => void,
): Promise<FolderReport> {
  const t0 = performance.now();
  let names: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new CliError(`FSDD folder ${dir} is not a folder`, { code: 'NOT_A_FOLDER' });
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof CliError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`FSDD folder ${dir} does not exist`, { code: 'NOT_FOUND', cause: e });
    }
    throw fromSystemError(e, 'cannot read the FSDD folder');
  }
  const present = new Set(names);
  const expectedNames = Object.keys(manifest.files).sort(naturalCompare);
  const missing: string[] = [];
  const mismatched: Mismatch[] = [];
  const toCheck: string[] = [];
  for (const name of expectedNames) (present.has(name) ? toCheck : missing).push(name);
  const extra = names.filter((n) => /\.wav$/i.test(n) && !(n in manifest.files)).sort(naturalCompare);

  let verified = 0;
  let bytes = 0;
  let done = 0;
  let next = 0;
  const total = expectedNames.length;
  onProgress?.(missing.length, total);
  done = missing.length;
  const worker = async (): Promise<void> => {
    while (next < toCheck.length) {
      const name = toCheck[next++]!;
      let reason: string | undefined;
      try {
        const data = await readFile(join(dir, name));
        reason = checkFile(data, manifest.files[name]!);
        if (!reason) bytes += data.length;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        reason = code === 'EISDIR' ? 'is a folder' : `unreadable (${code ?? (e as Error).message})`;
      }
      if (reason) mismatched.push({ name, reason });
      else verified++;
      done++;
      onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  mismatched.sort((a, b) => naturalCompare(a.name, b.name));
  return {
    dir, tag: manifest.tag, expected: total, verified, bytes, missing, mismatched, extra,
    ok: missing.length === 0 && mismatched.length === 0, seconds: (performance.now() - t0) / 1000,
  };
}

/** '2_x_10.wav' after '2_x_9.wav'. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** 'a.wav, b.wav, c.wav and 7 more'. */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
