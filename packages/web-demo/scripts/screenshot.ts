// The README's screenshot (docs/screenshot.png): the built demo in Debian's
// chromium, with the built-in model, after generating a digit, hovering the
// latent explorer, morphing and reconstructing a real FSDD recording. Run it
// after replacing the model:
//
//   pnpm -F @specvae/web-demo screenshot [--out docs/screenshot.png] [--wav FILE] [--digit 3] [--seed 42]
//
// It builds the app into a temporary folder (the libraries must be built).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromUser, pkg, withBuiltDemo } from './built-demo.js';

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
const out = fromUser(args.out!);
const take = { digit: Number(args.digit), seed: Number(args.seed) };

withBuiltDemo(async (page) => {
  for (const [digit, seed] of [[(take.digit + 5) % 10, 7], [(take.digit + 1) % 10, 11]] as const) {
    await page.evaluate((t) => document.querySelector('specvae-demo')!.generate({ ...t, play: false }), { digit, seed });
  }
  await page.locator('specvae-demo [data-ref="morph-t"]').fill('40');
  await page.waitForFunction(() => document.querySelector('specvae-demo')!.shadowRoot!.querySelector('[data-ref="out-title"]')!.textContent === 'Morph');
  // Warm (the status line then shows a typical time), and the output card shows the digit again (the morph replaced it).
  await page.evaluate(() => document.querySelector('specvae-demo')!.benchmark(5));
  await page.evaluate((t) => document.querySelector('specvae-demo')!.generate({ ...t, play: false }), take);
  await page.locator('specvae-demo [data-ref="recon-file"]').setInputFiles(fromUser(args.wav!));
  await page.waitForFunction(() => document.querySelector('specvae-demo')!.results.reconstruction !== null);
  const dot = await page.evaluate(() => document.querySelector('specvae-demo')!.pointOnScreen(17));
  if (dot) await page.mouse.move(dot.x, dot.y);
  await page.waitForTimeout(200);
  mkdirSync(dirname(out), { recursive: true });
  // The whole page in the viewport (the status line is sticky at the viewport's bottom).
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
}).catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
