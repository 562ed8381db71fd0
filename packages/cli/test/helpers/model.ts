// Fixtures of the model tests: a handful of real FSDD recordings in a temp
// folder, a tiny model trained on them through the binary, and checks of
// the files the commands write.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '@specvae/dsp-wasm';
import { expect } from 'vitest';
import { decodePng } from '../../src/plots/raster.js';
import { errorLine, FSDD_DIR, runCli, type RunOptions, type RunResult } from './cli.js';

export { FSDD_DIR };

/**
 * Copies a few real recordings: digits 0-9 of george and jackson, takes 0
 * (test split), 5 (validation with --val-takes 1) and 10, 11 (training):
 * 80 files, 40 training clips.
 */
export function smallFsdd(dir: string, takes: readonly number[] = [0, 5, 10, 11]): string {
  if (!existsSync(join(FSDD_DIR, '0_george_0.wav'))) throw new Error(`FSDD not found in ${FSDD_DIR} (set FSDD_DIR)`);
  mkdirSync(dir, { recursive: true });
  for (let d = 0; d < 10; d++) {
    for (const s of ['george', 'jackson']) {
      for (const t of takes) copyFileSync(join(FSDD_DIR, `${d}_${s}_${t}.wav`), join(dir, `${d}_${s}_${t}.wav`));
    }
  }
  return dir;
}

/** Flags of a tiny, fast training run on smallFsdd(). */
export const TINY = ['--tiny', '--batch-size', '8', '--val-takes', '1'];

export async function cli(args: readonly string[], env: NodeJS.ProcessEnv, options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
  return runCli(args, { timeoutMs: 120_000, ...options, env });
}

/** Runs with --json, expects exit 0, returns the parsed result. */
export async function cliJson<T = Record<string, unknown>>(args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const r = await cli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`specvae ${args.join(' ')} exited with ${r.code}\n${r.stderr}\n${r.stdout}`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return JSON.parse(r.stdout) as T;
}

/** A PNG that decodes, of at least the given size. */
export function expectPng(path: string, minWidth = 200, minHeight = 150): { width: number; height: number } {
  const bytes = new Uint8Array(readFileSync(path));
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = decodePng(bytes);
  expect(png.width).toBeGreaterThanOrEqual(minWidth);
  expect(png.height).toBeGreaterThanOrEqual(minHeight);
  return png;
}

/** A 16-bit mono WAV at `rate` with finite, not all-zero samples within [-1, 1]. */
export function expectWav(path: string, rate = 8000, minSamples = 100): Float32Array {
  const bytes = new Uint8Array(readFileSync(path));
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
  expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe('WAVE');
  const w = decodeWav(bytes, { mono: true });
  expect(w.sampleRate).toBe(rate);
  const x = w.channels[0]!;
  expect(x.length).toBeGreaterThanOrEqual(minSamples);
  let peak = 0;
  for (const v of x) {
    expect(Number.isFinite(v)).toBe(true);
    peak = Math.max(peak, Math.abs(v));
  }
  expect(peak).toBeGreaterThan(0);
  expect(peak).toBeLessThanOrEqual(1);
  return x;
}

/** An SVG document. */
export function expectSvg(path: string): string {
  const text = readFileSync(path, 'utf8');
  expect(text).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  return text;
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A failure: exit code, one `specvae:` line matching `re`, no stack trace, nothing on stdout. */
export function expectFailure(r: RunResult, code: number, re: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(errorLine(r.stderr)).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}
