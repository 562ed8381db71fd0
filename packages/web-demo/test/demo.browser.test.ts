// The demo in a real browser: built with Vite's API, served on 127.0.0.1,
// driven in Debian's chromium through playwright-core (tools/browser.ts).
// Every test fails on a console error or a request leaving the page's origin.
// Screenshots go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDsp } from '@specvae/dsp-wasm';
import { fromBundle, initBackend, resynthesize, validateFeatureConfig, wavFromFeatures, type SpectrogramVae } from '@specvae/vae-model';
import { loadModelDir } from '@specvae/vae-model/node';
import { findChromium, serveStatic, watchPage } from '../../../tools/browser.js';
import type { SpecvaeDemoElement } from '../src/specvae-demo.js';

const chromiumPath = findChromium();
if (!chromiumPath && process.env.CI) throw new Error('CI=true but chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH)');
if (!chromiumPath) console.warn('browser tests skipped: no chromium at /usr/bin/chromium (set CHROMIUM_PATH)');

const pkg = fileURLToPath(new URL('..', import.meta.url));
const results = join(pkg, 'test-results');
const modelDir = join(pkg, 'public', 'model');
// Real FSDD recordings (CC BY-SA 4.0): from the dataset in the development
// workspace (../shared/fsdd, or FSDD_DIR) when it is there, else the same
// files committed as fixtures in dsp-wasm.
const fixtures = join(pkg, '..', 'dsp-wasm', 'test', 'fixtures', 'fsdd');
const fsddDir = process.env.FSDD_DIR ?? join(pkg, '..', '..', '..', 'shared', 'fsdd');
const fsddFile = (f: string): string => (existsSync(join(fsddDir, f)) ? join(fsddDir, f) : join(fixtures, f));
const WAVS = ['0_george_0.wav', '7_jackson_32.wav', '9_theo_16.wav'].map(fsddFile);

declare global {
  interface Window { __demo?: SpecvaeDemoElement }
}

const rms = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / Math.max(1, a.length));
};

/** Pixels of a canvas in the demo's shadow root that differ from the empty background, and distinct colours. */
async function canvasInk(page: Page, ref: string): Promise<{ painted: number; colours: number; total: number }> {
  return page.evaluate((name) => {
    const c = document.querySelector('specvae-demo')!.shadowRoot!.querySelector<HTMLCanvasElement>(`[data-ref="${name}"]`)!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]! > 0) painted++;
      colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    }
    return { painted, colours: colours.size, total: d.length / 4 };
  }, ref);
}

/**
 * Chromium with the flags of tools/browser.ts's launchChromium, plus its fake
 * microphone (a beep, no permission prompt) for the "Record 2 s" button.
 */
async function launchWithFakeMicrophone(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A screenshot of the whole page, taken in a viewport that holds it all (the status line is sticky at the bottom). */
async function fullShot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: await page.evaluate(() => document.documentElement.scrollHeight) });
  await page.waitForTimeout(100);
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

describe.skipIf(!chromiumPath)('the demo in chromium', () => {
  let site = '';
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(modelDir, 'specvae.json'))) throw new Error(`no built-in model in ${modelDir}: run pnpm --filter @specvae/web-demo build-model`);
    // A web site with the build in a subfolder (every URL in the build is relative).
    site = mkdtempSync(join(tmpdir(), 'web-demo-'));
    const outDir = join(site, 'demos', 'specvae');
    await build({ configFile: join(pkg, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    // Another page of the site that embeds the build with embed(), showing one card.
    writeFileSync(join(site, 'embed.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>embed</title>
<h1>Somebody else's page</h1><div id="here"></div>
<script type="module">import { embed } from '/demos/specvae/assets/specvae-demo.js'; window.__demo = embed('#here', { sections: ['generate'] });</script>`);
    // A model folder as the CLI writes it (specvae train: <run>/model, a checkpoint: the model plus the
    // optimiser state, and no demo-extras.json), served from elsewhere and given to the element as model-url.
    const cliModel = join(site, 'elsewhere', 'cli-model');
    cpSync(join(outDir, 'model'), cliModel, { recursive: true });
    rmSync(join(cliModel, 'demo-extras.json'));
    writeFileSync(join(cliModel, 'optimizer.json'), '{"names":[],"shapes":[]}');
    writeFileSync(join(cliModel, 'state.json'), '{}');
    writeFileSync(join(site, 'cli-model.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>CLI model</title>
<specvae-demo model-url="elsewhere/cli-model/" sections="generate explore"></specvae-demo>
<script type="module" src="demos/specvae/assets/specvae-demo.js"></script>`);
    server = await serveStatic(site);
    browser = await launchWithFakeMicrophone(chromiumPath!);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    problems = watchPage(page, server.url);
    mkdirSync(results, { recursive: true });
    await page.goto(`${server.url}demos/specvae/`);
    await page.evaluate(() => document.querySelector('specvae-demo')!.whenReady());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it('loads the built-in model offline on tfjs-wasm with SIMD and shows it in the status line', async () => {
    const status = await page.locator('specvae-demo [data-ref="status"]').innerText();
    expect(status).toMatch(/tfjs wasm · SIMD on/);
    expect(status).toMatch(/DSP dsp-wasm SIMD/);
    expect(status).toMatch(/model built-in \(cvae/);
    expect(problems).toEqual([]);
  });

  it('generates a digit from its button: audible audio, drawn waveform and spectrogram, timing in the status line', async () => {
    await page.locator('specvae-demo button.digit[data-digit="3"]').click();
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.generated?.digit === 3);
    const g = await page.evaluate(() => {
      const r = document.querySelector('specvae-demo')!.results.generated!;
      return { n: r.audio.length, rate: r.sampleRate, audio: Array.from(r.audio), totalMs: r.timings.totalMs };
    });
    expect(g.n).toBe(18304);
    expect(g.rate).toBe(8000);
    expect(rms(g.audio)).toBeGreaterThan(0.01);
    expect(Math.max(...g.audio.map(Math.abs))).toBeCloseTo(0.9, 3);
    const wave = await canvasInk(page, 'out-wave');
    const spec = await canvasInk(page, 'out-spec');
    expect(wave.painted / wave.total).toBeGreaterThan(0.05);
    expect(spec.painted / spec.total).toBeGreaterThan(0.5);
    expect(spec.colours).toBeGreaterThan(100);
    expect(await page.locator('specvae-demo [data-ref="st-time"]').innerText()).toMatch(/last generation \d+(\.\d)? ms \(decode .* \+ Griffin-Lim .*\)/);
    expect(await page.locator('specvae-demo [data-ref="out-download"]').getAttribute('href')).toMatch(/^blob:/);
    expect(await page.locator('specvae-demo [data-ref="history"] button').first().innerText()).toMatch(/^3\s*seed \d+$/);
    await fullShot(page, join(results, 'generate.png'));
    expect(problems).toEqual([]);
  });

  it('measures the time of one generation (decode + 32 Griffin-Lim iterations; reported, not asserted: the target is < 150 ms)', async () => {
    const r = await page.evaluate(() => document.querySelector('specvae-demo')!.benchmark(10));
    writeFileSync(join(results, 'generation-time.json'), `${JSON.stringify(r, null, 2)}\n`);
    console.log(`generation in chromium: median ${r.medianMs.toFixed(1)} ms, min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)} `
      + `(decode ${r.decodeMs.toFixed(1)}, Griffin-Lim ${r.griffinLimMs.toFixed(1)}; round trip ${r.roundTripMs.toFixed(1)}; target < 150 ms)`);
    expect(r.runs).toBe(10);
    expect(r.medianMs).toBeGreaterThan(0);
    expect(await page.locator('specvae-demo [data-ref="st-msg"]').innerText()).toMatch(/^benchmark: one digit \(decode \+ 32 Griffin-Lim iterations\) takes/);
    expect(problems).toEqual([]);
  });

  it('produces the same audio as vae-model + dsp-wasm in Node for the same model, latent and seed', async () => {
    const cases = [{ digit: 3, seed: 7 }, { digit: 8, seed: 12345 }];
    const browserOut = await page.evaluate(async (cs) => {
      const el = document.querySelector('specvae-demo')!;
      const out = [];
      for (const c of cs) {
        const g = await el.generate({ ...c, nIter: 32, play: false });
        // The WAV the "Download WAV" link offers.
        const href = el.shadowRoot!.querySelector<HTMLAnchorElement>('[data-ref="out-download"]')!.href;
        const wav = Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer()));
        out.push({ z: Array.from(g.z), audio: Array.from(g.audio), wav });
      }
      return out;
    }, cases);
    // Node: the CLI's path, on the same tfjs-wasm (its threaded build here) and dsp-wasm.
    await initBackend();
    const dsp = await createDsp();
    const bundle = await loadModelDir(modelDir);
    const features = validateFeatureConfig(bundle.manifest.features);
    const vae: SpectrogramVae = await fromBundle(bundle);
    try {
      cases.forEach((c, i) => {
        // The built-in model has a class prior: the take of a digit comes from that digit's latent Gaussian.
        expect(vae.classPrior).not.toBeNull();
        const z = vae.sampleLatents(1, c.seed, { digits: [c.digit] });
        const audio = resynthesize(dsp, vae.decode(z, [c.digit]), features, { seed: c.seed, nIter: 32 }).audio;
        const b = browserOut[i]!;
        expect(b.z.length).toBe(z.length);
        for (let k = 0; k < z.length; k++) expect(Math.abs(b.z[k]! - z[k]!)).toBeLessThan(1e-6);
        expect(b.audio.length).toBe(audio.length);
        let maxDiff = 0;
        for (let k = 0; k < audio.length; k++) maxDiff = Math.max(maxDiff, Math.abs(b.audio[k]! - audio[k]!));
        expect(maxDiff).toBeLessThan(1e-4);
        // The downloaded file against vae-model's wavFromFeatures (what the CLI writes for
        // `specvae generate --digits d --n 1 --seed s`): the same header, samples within one LSB.
        const wav = wavFromFeatures(dsp, vae.decode(z, [c.digit]), features, { seed: c.seed, nIter: 32 });
        expect(b.wav.length).toBe(wav.length);
        expect(b.wav.slice(0, 44)).toEqual(Array.from(wav.subarray(0, 44)));
        const node16 = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
        const page16 = new Int16Array(Uint8Array.from(b.wav.slice(44)).buffer);
        let lsb = 0;
        for (let k = 0; k < node16.length; k++) lsb = Math.max(lsb, Math.abs(page16[k]! - node16[k]!));
        expect(lsb).toBeLessThanOrEqual(1);
        console.log(`parity digit ${c.digit} seed ${c.seed}: max |browser - Node| ${maxDiff.toExponential(2)} in the samples, ${lsb} LSB in the WAV`);
      });
    } finally {
      vae.dispose();
    }
    expect(problems).toEqual([]);
  });

  it('explores the latent plane: hover tips, a click on a dot decodes that recording, a click elsewhere decodes the point', async () => {
    const dot = await page.evaluate(() => document.querySelector('specvae-demo')!.pointOnScreen(0));
    expect(dot).not.toBeNull();
    await page.mouse.move(dot!.x, dot!.y);
    const tip = page.locator('specvae-demo [data-ref="tip"]');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.innerText()).toMatch(/^0_\w+_\d\.wav · digit 0 · \w+/);
    await page.mouse.click(dot!.x, dot!.y);
    await page.waitForFunction(() => /^Latent of 0_/.test(document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="out-title"]')!.textContent ?? ''));
    const box = (await page.locator('specvae-demo [data-ref="scatter"]').boundingBox())!;
    // An empty spot near a corner of the plot area (the points keep a 12 % margin).
    await page.mouse.click(box.x + 52, box.y + 14);
    await page.waitForFunction(() => /^Point \(/.test(document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="out-title"]')!.textContent ?? ''));
    const g = await page.evaluate(() => Array.from(document.querySelector('specvae-demo')!.results.generated!.audio));
    expect(rms(g)).toBeGreaterThan(0.01);
    const scatter = await canvasInk(page, 'scatter');
    expect(scatter.colours).toBeGreaterThan(10);
    await page.locator('specvae-demo [data-ref="scatter"]').screenshot({ path: join(results, 'explorer.png') });
    expect(problems).toEqual([]);
  });

  it('morphs between two digits with the slider', async () => {
    const slider = page.locator('specvae-demo [data-ref="morph-t"]');
    await slider.fill('50');
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="out-title"]')!.textContent === 'Morph');
    expect(await page.locator('specvae-demo [data-ref="morph-label"]').innerText()).toBe('50 % digit 1 · 50 % digit 7');
    const morph = await canvasInk(page, 'morph-spec');
    expect(morph.colours).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it('reconstructs a real FSDD recording next to the original, and redoes Griffin-Lim with another iteration count', async () => {
    await page.locator('specvae-demo [data-ref="recon-file"]').setInputFiles(WAVS[0]!);
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.reconstruction?.name === '0_george_0.wav');
    const r = await page.evaluate(() => {
      const x = document.querySelector('specvae-demo')!.results.reconstruction!;
      return { digit: x.digit, orig: Array.from(x.original.audio), recon: Array.from(x.reconstruction.audio), mse: x.mse };
    });
    expect(r.digit).toBe(0);
    expect(rms(r.orig)).toBeGreaterThan(0.01);
    expect(rms(r.recon)).toBeGreaterThan(0.01);
    expect(r.mse).toBeLessThan(0.05);
    for (const ref of ['orig-wave', 'orig-spec', 'recon-wave', 'recon-spec']) expect((await canvasInk(page, ref)).colours).toBeGreaterThan(20);
    const meta = page.locator('specvae-demo [data-ref="recon-meta"]');
    expect(await meta.innerText()).toMatch(/digit 0, from the file name/);
    const before = await meta.innerText();
    await page.locator('specvae-demo [data-ref="recon-iter"]').fill('100');
    await page.waitForFunction((b) => document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="recon-meta"]')!.textContent !== b, before);
    await page.locator('specvae-demo [data-section="reconstruct"]').screenshot({ path: join(results, 'reconstruct.png') });
    expect(problems).toEqual([]);
  });

  it('reconstructs a WAV file dropped on the card', async () => {
    const bytes = Array.from(readFileSync(WAVS[2]!));
    await page.evaluate((b) => {
      const card = document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="drop"]')!;
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(b)], '9_theo_16.wav', { type: 'audio/wav' }));
      card.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      card.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.reconstruction?.name === '9_theo_16.wav');
    expect(await page.locator('specvae-demo [data-ref="recon-meta"]').innerText()).toMatch(/^9_theo_16\.wav: digit 9, from the file name/);
    expect(problems).toEqual([]);
  });

  it('records 2 s from the microphone (Chromium\'s fake one) and reconstructs it', async () => {
    await page.locator('specvae-demo [data-ref="record"]').click();
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.reconstruction?.name === 'your recording', undefined, { timeout: 20_000 });
    const r = await page.evaluate(() => {
      const x = document.querySelector('specvae-demo')!.results.reconstruction!;
      return { digit: x.digit, orig: Array.from(x.original.audio), recon: Array.from(x.reconstruction.audio) };
    });
    expect(rms(r.orig)).toBeGreaterThan(0.01);
    expect(rms(r.recon)).toBeGreaterThan(0.01);
    expect(r.digit).not.toBeNull(); // the model's guess
    expect(await page.locator('specvae-demo [data-ref="recon-meta"]').innerText()).toMatch(/^your recording: digit \d, guessed/);
    expect(problems).toEqual([]);
  });

  it('trains a small model in the browser for a few steps, with a loss curve, and then uses it', async () => {
    await page.locator('specvae-demo [data-ref="train-files"]').setInputFiles(WAVS);
    expect(await page.locator('specvae-demo [data-ref="train-count"]').innerText()).toMatch(/^3 WAV files, all with digits/);
    await page.locator('specvae-demo [data-ref="train-epochs"]').fill('1');
    await page.locator('specvae-demo [data-ref="train-batch"]').fill('1');
    await page.locator('specvae-demo [data-ref="train-start"]').click();
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.shadowRoot!.querySelector<HTMLSelectElement>('[data-ref="model-select"]')!.value === 'trained',
      undefined, { timeout: 90_000 });
    const steps = await page.evaluate(() => document.querySelector('specvae-demo')!.results.lossSteps);
    expect(steps).toBe(3);
    expect((await canvasInk(page, 'loss')).colours).toBeGreaterThan(10);
    expect(await page.locator('specvae-demo [data-ref="train-meta"]').innerText()).toMatch(/^Done: 3 steps on 3 files/);
    expect(await page.locator('specvae-demo [data-ref="st-model"]').innerText()).toMatch(/model trained here \(cvae/);
    // The trained model in use: generate with it.
    await page.locator('specvae-demo button.digit[data-digit="7"]').click();
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.generated?.digit === 7);
    await page.locator('specvae-demo [data-section="train"]').screenshot({ path: join(results, 'train.png') });
    // Back to the built-in model.
    await page.locator('specvae-demo [data-ref="model-select"]').selectOption('built-in');
    await page.waitForFunction(() => /model built-in/.test(document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="st-model"]')!.textContent ?? ''));
    await fullShot(page, join(results, 'demo.png'));
    expect(problems).toEqual([]);
  }, 120_000);

  it('embeds in another page with embed(element, options), showing only the chosen cards', async () => {
    const other = await browser!.newPage({ viewport: { width: 900, height: 700 } });
    const otherProblems = watchPage(other, server!.url);
    await other.goto(`${server!.url}embed.html`);
    await other.waitForFunction(() => window.__demo !== undefined);
    await other.evaluate(() => window.__demo!.whenReady());
    const visible = await other.evaluate(() => [...window.__demo!.shadowRoot!.querySelectorAll<HTMLElement>('[data-section]')].filter((e) => !e.hidden).map((e) => e.dataset['section']));
    expect(visible).toEqual(['generate', 'generate explore']);
    const g = await other.evaluate(async () => Array.from((await window.__demo!.generate({ digit: 5, seed: 3, play: false })).audio));
    expect(rms(g)).toBeGreaterThan(0.01);
    await other.screenshot({ path: join(results, 'embed.png') });
    await other.close();
    expect(otherProblems).toEqual([]);
  });

  it('runs any model folder the CLI writes, given as model-url (one without the explorer extras)', async () => {
    const other = await browser!.newPage({ viewport: { width: 900, height: 900 } });
    const otherProblems = watchPage(other, server!.url);
    await other.goto(`${server!.url}cli-model.html`);
    const info = await other.evaluate(() => document.querySelector('specvae-demo')!.whenReady());
    expect(info.model?.kind).toBe('cvae');
    expect(info.model?.extras).toBeNull();
    const g = await other.evaluate(async () => Array.from((await document.querySelector('specvae-demo')!.generate({ digit: 4, seed: 9, play: false })).audio));
    expect(rms(g)).toBeGreaterThan(0.01);
    expect(await other.locator('specvae-demo [data-ref="explore-hint"]').innerText()).toMatch(/without a latent plane/);
    await other.close();
    // Asking for the missing demo-extras.json may show as a 404 in the console (extras-url="none" avoids the request).
    expect(otherProblems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  });
});
