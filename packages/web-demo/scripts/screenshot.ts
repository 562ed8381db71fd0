// The README's screenshot (docs/screenshot.png): the built demo in Debian's
// chromium, with the built-in model, after generating a digit, hovering the
// latent explorer, morphing and reconstructing a real FSDD recording. Run it
// after replacing the model:
//
//   pnpm -F @specvae/web-demo screenshot [--out docs/screenshot.png] [--wav FILE]
//
// It builds the app into a temporary folder (the libraries must be built).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { findChromium, launchChromium, serveStatic, watchPage } from '../../../tools/browser.js';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromUser = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
const fixture = join(pkg, '..', 'dsp-wasm', 'test', 'fixtures', 'fsdd', '7_jackson_32.wav');
const shared = join(pkg, '..', '..', '..', 'shared', 'fsdd', '7_jackson_32.wav');

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(pkg, 'docs', 'screenshot.png') },
    wav: { type: 'string', default: existsSync(shared) ? shared : fixture },
    digit: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
  },
});

async function main(): Promise<void> {
  const chromium = findChromium();
  if (!chromium) throw new Error('no chromium (apt-get install -y chromium, or set CHROMIUM_PATH)');
  const outDir = mkdtempSync(join(tmpdir(), 'web-demo-shot-'));
  const server = await (async () => {
    await build({ configFile: join(pkg, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    return serveStatic(outDir);
  })();
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page, server.url);
    await page.goto(server.url);
    await page.evaluate(() => document.querySelector('specvae-demo')!.whenReady());
    await page.evaluate(({ digit, seed }) => document.querySelector('specvae-demo')!.generate({ digit, seed, play: false }), {
      digit: Number(args.digit), seed: Number(args.seed),
    });
    await page.locator('specvae-demo [data-ref="morph-t"]').fill('40');
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="out-title"]')!.textContent === 'Morph');
    // Warm (the status line then shows a typical time), and the output card shows the digit again (the morph replaced it).
    await page.evaluate(() => document.querySelector('specvae-demo')!.benchmark(5));
    await page.evaluate(({ digit, seed }) => document.querySelector('specvae-demo')!.generate({ digit, seed, play: false }), {
      digit: Number(args.digit), seed: Number(args.seed),
    });
    await page.locator('specvae-demo [data-ref="recon-file"]').setInputFiles(fromUser(args.wav!));
    await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.reconstruction !== null);
    const dot = await page.evaluate(() => document.querySelector('specvae-demo')!.pointOnScreen(17));
    if (dot) await page.mouse.move(dot.x, dot.y);
    await page.waitForTimeout(200);
    mkdirSync(dirname(fromUser(args.out!)), { recursive: true });
    // The whole page in the viewport (the status line is sticky at the viewport's bottom).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height });
    await page.waitForTimeout(300);
    await page.screenshot({ path: fromUser(args.out!) });
    if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
    console.log(`wrote ${fromUser(args.out!)}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
