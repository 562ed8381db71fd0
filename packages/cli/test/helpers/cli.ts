// Runs the built `specvae` binary as a child process, as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
/** The shared FSDD copy (v1.0.10's recordings/). */
export const FSDD_DIR = process.env['FSDD_DIR'] ?? resolve(PACKAGE_DIR, '../../../shared/fsdd');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A minimal, deterministic environment: no proxies, no colour, caches in `home`. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
  /** Called with the child's stderr so far on every chunk (to send signals at the right moment). */
  onStderr?: (stderr: string, child: import('node:child_process').ChildProcess) => void;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? cleanEnv(tmpdir()),
      cwd: options.cwd ?? PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; options.onStderr?.(stderr, child); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`specvae ${args.join(' ')} timed out\n${stderr}`)); }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `specvae-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The error line a failing command prints: the last `specvae: ...` line of stderr. */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('specvae: '));
  return lines[lines.length - 1] ?? '';
}
