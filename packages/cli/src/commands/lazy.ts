// Model commands load their implementation (and with it TensorFlow.js) only
// when they run, so `specvae --help`, `info` and `data` stay fast.
import { relative, isAbsolute } from 'node:path';
import { CliError } from '../errors.js';

/** Imports a module of the CLI; a missing build of a workspace package becomes one clear line. */
export async function loadModule<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const m = /Cannot find (?:package|module) '([^']+)'/.exec(String(err.message));
    if (err.code === 'ERR_MODULE_NOT_FOUND' && m) {
      throw new CliError(`cannot load ${m[1]}: is the workspace built? (run pnpm build)`, { code: 'NOT_BUILT', cause: e });
    }
    throw e;
  }
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
