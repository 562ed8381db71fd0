// Generation speed in Debian's chromium: the built demo's benchmark (one
// digit = decoder forward pass + Griffin-Lim + peak normalisation, timed in
// the worker; and the page's round trip), after a warm-up, for a few
// Griffin-Lim iteration counts. The target: 32 iterations < 150 ms.
//
//   pnpm -F @specvae/web-demo bench [--runs 20]
import { parseArgs } from 'node:util';
import { findChromium } from '../../../tools/browser.js';
import { withBuiltDemo } from './built-demo.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(args.runs);

if (!findChromium()) {
  console.warn('web-demo bench skipped: no chromium at /usr/bin/chromium (set CHROMIUM_PATH)');
  process.exit(0);
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

withBuiltDemo(async (page) => {
  // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
  const rows = await page.evaluate(async (n) => {
    const el = document.querySelector('specvae-demo')!;
    const info = await el.whenReady();
    const out = [];
    for (const nIter of [0, 32, 100]) {
      await el.generate({ digit: 0, seed: 1, nIter, play: false });
      const total: number[] = [], decode: number[] = [], gl: number[] = [];
      for (let i = 0; i < n; i++) {
        const g = await el.generate({ digit: i % 10, seed: 1000 + i, nIter, play: false });
        total.push(g.timings.decodeMs + g.timings.griffinLimMs);
        decode.push(g.timings.decodeMs);
        gl.push(g.timings.griffinLimMs);
      }
      out.push({ nIter, total, decode, gl });
    }
    return { backend: `tfjs ${info.backend.backend}, ${info.backend.build} build, ${info.backend.threads} thread(s)`, out };
  }, runs);
  console.log(`chromium, ${rows.backend}, ${runs} runs each (ms per digit, worker time):`);
  console.log('| Griffin-Lim iterations | median | min | max | decode | Griffin-Lim |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows.out) {
    console.log(`| ${r.nIter} | ${median(r.total).toFixed(1)} | ${Math.min(...r.total).toFixed(1)} | ${Math.max(...r.total).toFixed(1)} | `
      + `${median(r.decode).toFixed(1)} | ${median(r.gl).toFixed(1)} |`);
  }
}).catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
