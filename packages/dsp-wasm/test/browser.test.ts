// The reference checks in a real browser: the page in test/browser is built
// with Vite (so the .wasm goes through Vite's asset pipeline, as in an app),
// served on 127.0.0.1 and run in Debian's chromium via playwright-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { findChromium, launchChromium, pageResults, serveStatic } from '../../../tools/browser.js';

const chromiumPath = findChromium();
if (!chromiumPath && process.env.CI) throw new Error('CI=true but chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH)');
if (!chromiumPath) console.warn('browser tests skipped: no chromium at /usr/bin/chromium (set CHROMIUM_PATH)');

const here = fileURLToPath(new URL('.', import.meta.url));

describe.skipIf(!chromiumPath)('in chromium', () => {
  let outDir = '';
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'dsp-browser-'));
    await build({
      root: join(here, 'browser'),
      base: './',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
    });
    server = await serveStatic(outDir);
    browser = await launchChromium(chromiumPath!);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('passes every reference check on the SIMD and scalar builds, with no console error or foreign request', async () => {
    const { results: r, problems } = await pageResults<NonNullable<Window['__results']>>(
      browser!, server!.url, join(here, '..', 'test-results', 'browser-dsp.png'));
    const failed = r.outcomes.filter((o) => !o.ok);
    expect(failed).toEqual([]);
    expect(r.outcomes.length).toBeGreaterThan(100);
    expect(r.simd).toBe(true);
    expect(problems).toEqual([]);
  }, 180_000);
});
