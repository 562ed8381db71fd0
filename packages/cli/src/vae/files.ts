// Files the model commands read and write.
//
// Every output file is written to a temporary name beside it and renamed
// into place, so a file that exists is complete (a killed run leaves at most
// a `*.tmp-<pid>` behind, never a half-written PNG or WAV under the real
// name). A failed write (full disk, read-only folder, ...) becomes one line:
// `cannot write <path>: no space left on the device; ...`.
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CliError, systemReason } from '../errors.js';

/** The CliError for a failed write of `path` (the target, not the temporary name). */
export function writeError(e: unknown, path: string): unknown {
  if (e instanceof CliError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const reason = systemReason(e);
  if (!reason) return e;
  const hint = code === 'ENOSPC' || code === 'EDQUOT'
    ? '; free some space and run the command again'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? '; choose another folder with --out' : '';
  return new CliError(`cannot write ${path}: ${reason}${hint}`, { code: code ?? 'WRITE_FAILED', cause: e });
}

/** Creates a folder (and its parents) or fails with one line. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw writeError(e, dir);
  }
}

/** Writes a file atomically (temporary file + rename), creating its folder. */
export async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(e, path);
  }
}

/** Appends to a file (metrics.jsonl), with the same error lines. */
export async function appendOutput(path: string, data: string): Promise<void> {
  try {
    await appendFile(path, data);
  } catch (e) {
    throw writeError(e, path);
  }
}

/** JSON with a trailing newline, typed arrays as arrays. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 2)}\n`;
}

export async function pathKind(path: string): Promise<'file' | 'dir' | 'other' | null> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CliError(`cannot access ${path}: ${systemReason(e) ?? (e as Error).message}`, { code: code ?? 'ACCESS', cause: e });
  }
}

/** An audio input: a file given on the command line or found in a folder. */
export interface InputPath {
  /** Shown in messages and used to name outputs. */
  name: string;
  path: string;
}

/**
 * Expands command-line inputs: a file is taken as it is (whatever its
 * extension; it is decoded later), a folder gives its `*.wav` files (sorted).
 * A missing path, an unreadable folder, or a folder without WAV files is fatal.
 */
export async function expandInputs(args: readonly string[]): Promise<InputPath[]> {
  const out: InputPath[] = [];
  for (const arg of args) {
    const p = resolve(arg);
    const kind = await pathKind(p);
    if (kind === null) throw new CliError(`no such file or folder: ${arg}`, { code: 'ENOENT' });
    if (kind === 'file') {
      out.push({ name: basename(p), path: p });
      continue;
    }
    if (kind !== 'dir') throw new CliError(`not a file or folder: ${arg}`, { code: 'NOT_A_FILE' });
    let names: string[];
    try {
      names = await readdir(p);
    } catch (e) {
      throw new CliError(`cannot read the folder ${arg}: ${systemReason(e) ?? (e as Error).message}`, { code: 'UNREADABLE', cause: e });
    }
    const wavs = names.filter((n) => extname(n).toLowerCase() === '.wav').sort(naturalOrder);
    if (wavs.length === 0) throw new CliError(`no .wav files in the folder ${arg}`, { code: 'EMPTY' });
    for (const n of wavs) out.push({ name: n, path: join(p, n) });
  }
  return out;
}

/** Reads an input file; unreadable files are fatal (they were named explicitly or listed a moment ago). */
export async function readInput(input: InputPath): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(input.path));
  } catch (e) {
    throw new CliError(`cannot read ${input.path}: ${systemReason(e) ?? (e as Error).message}`, { code: 'UNREADABLE', cause: e });
  }
}

const collator = new Intl.Collator('en', { numeric: true });
export function naturalOrder(a: string, b: string): number {
  return collator.compare(a, b);
}

/** A file name stem safe to reuse for outputs (`7_jackson_32.wav` -> `7_jackson_32`). */
export function outputStem(name: string): string {
  const stem = basename(name, extname(name)).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return stem || 'clip';
}
