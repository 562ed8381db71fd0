// Versions of this package and of the packages it runs on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson { name: string; version: string }

const here = dirname(fileURLToPath(import.meta.url));

/** This package's package.json (one folder up from src/ and from dist/). */
export const PACKAGE: PackageJson = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as PackageJson;
export const VERSION = PACKAGE.version;

/**
 * The version of an installed package, resolved from `from` (a file path or
 * URL of the package that depends on it), or undefined when it is not there.
 */
export function packageVersion(name: string, from: string = import.meta.url): { version: string; path: string } | undefined {
  try {
    const require = createRequire(from);
    const path = require.resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
    return { version: pkg.version, path };
  } catch {
    return undefined;
  }
}
