// The package in a real browser: the page in test/browser is built with Vite,
// served on 127.0.0.1 with a model folder saved here by Node, and run in
// Debian's chromium via playwright-core. It selects tfjs-wasm with our
// training kernels, loads the model over HTTP, decodes, trains, and
// round-trips the trained model; every number is compared with the same code
// run here in Node on the same backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { findChromium, launchChromium, pageResults, serveStatic } from '../../../tools/browser.js';
import { SpectrogramVae, fromBundle, initBackend, toBundle, trainVae, type Architecture } from '../src/index.js';
import { loadModelDir, saveModelDir } from '../src/node.js';
import type { BrowserCase, BrowserResults } from './browser/protocol.js';

const chromiumPath = findChromium();
if (!chromiumPath && process.env.CI) throw new Error('CI=true but chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH)');
if (!chromiumPath) console.warn('browser tests skipped: no chromium at /usr/bin/chromium (set CHROMIUM_PATH)');

const here = fileURLToPath(new URL('.', import.meta.url));

// Every block kind the real models use: stride (2, 2) and (2, 1), BatchNorm, the condition.
const arch: Architecture = {
  kind: 'cvae', inputShape: [16, 8, 1], filters: [4, 8], strides: [[2, 2], [2, 1]], kernelSize: 3, latentDim: 3,
  batchNorm: true, reconWeight: 1000, klWeight: 1, seed: 4, classes: 10,
};

function relClose(a: number[], b: ArrayLike<number>, tol: number): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  expect(a.length).toBe(b.length);
  return num / Math.max(den, tol);
}

describe.skipIf(!chromiumPath)('in chromium', () => {
  let outDir = '';
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let testCase: BrowserCase;
  let modelDir = '';

  beforeAll(async () => {
    await initBackend();
    outDir = mkdtempSync(join(tmpdir(), 'vae-browser-'));
    await build({
      root: join(here, 'browser'),
      base: './',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
    });
    // tfjs-wasm's binaries, served by the page's own origin.
    const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    mkdirSync(join(outDir, 'tfjs'));
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      cpSync(join(wasmDist, 'dist', f), join(outDir, 'tfjs', f));
    }
    modelDir = join(outDir, 'model');
    const vae = new SpectrogramVae(arch);
    await saveModelDir(modelDir, await toBundle(vae, { features: { preset: 'test' } }));
    vae.dispose();
    const n = 12;
    const per = 16 * 8;
    const x = Array.from({ length: n * per }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37 + (i % per) * 0.11));
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 10);
    const z = Array.from({ length: n * arch.latentDim }, (_, i) => Math.sin(i * 1.7) * 1.5);
    testCase = { z, labels, x, epochs: 3, batchSize: 4, seed: 9 };
    writeFileSync(join(outDir, 'case.json'), JSON.stringify(testCase));
    server = await serveStatic(outDir);
    browser = await launchChromium(chromiumPath!);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('loads a model over HTTP, decodes and trains on tfjs-wasm exactly as Node does, without leaks or foreign requests', async () => {
    const { results: r, problems } = await pageResults<BrowserResults | { error: string }>(
      browser!, server!.url, join(here, '..', 'test-results', 'browser-vae.png'));
    if ('error' in r) throw new Error(`page failed: ${r.error}`);
    const got = r as BrowserResults;
    expect(got.backend).toBe('wasm');
    expect(got.leaked).toBe(0);

    // The same in Node, from the same saved folder.
    const vae = await fromBundle(await loadModelDir(modelDir));
    const z = Float32Array.from(testCase.z);
    expect(relClose(got.decoded, vae.decode(z, testCase.labels), 1e-6)).toBeLessThan(1e-5);
    const { history } = await trainVae(vae, { x: Float32Array.from(testCase.x), n: testCase.labels.length, labels: testCase.labels }, {
      epochs: testCase.epochs, batchSize: testCase.batchSize, seed: testCase.seed,
    });
    expect(got.losses.every(Number.isFinite)).toBe(true);
    expect(got.losses[got.losses.length - 1]).toBeLessThan(got.losses[0]!);
    expect(relClose(got.losses, history.map((h) => h.loss), 1e-6)).toBeLessThan(1e-3);
    const trained = vae.decode(z, testCase.labels);
    expect(relClose(got.trained, trained, 1e-6)).toBeLessThan(1e-3);
    // The bundle round trip in the browser is exact.
    expect(got.reloaded).toEqual(got.trained);
    vae.dispose();
    expect(problems).toEqual([]);
  }, 180_000);
});
