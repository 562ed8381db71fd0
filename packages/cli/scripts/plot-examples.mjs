#!/usr/bin/env node
// Draws one figure of each kind from a real FSDD recording (and synthetic
// latents / losses), to look at the plots and for the README:
//
//   pnpm build && node scripts/plot-examples.mjs [--data ../../../shared/fsdd] [--out docs/images]
//
// The "reconstruction" here is Griffin-Lim from the recording's own
// magnitude (no model): it shows what phase reconstruction alone costs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDsp, decodeWav } from '@specvae/dsp-wasm';
import { comparisonPng, lossCurvePng, lossCurveSvg, scatterPng, scatterSvg, spectrogramPng } from '../dist/plots/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.FSDD_DIR ?? resolve(here, '../../../../shared/fsdd') },
    out: { type: 'string', default: resolve(here, '../docs/images') },
    file: { type: 'string', default: '7_jackson_32.wav' },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const dsp = await createDsp();
const wav = decodeWav(readFileSync(join(values.data, values.file)), { mono: true, name: values.file });
const x = wav.channels[0];
const sr = wav.sampleRate;
const geo = { nFft: 256, hop: 64 };
const spec = (signal) => ({ ...dsp.stftDb(signal, { ...geo, topDb: 80 }), sampleRate: sr, ...geo });

const written = [];
const save = (name, bytes) => { writeFileSync(join(out, name), bytes); written.push(join(out, name)); };

save('spectrogram.png', spectrogramPng(spec(x), { title: `${values.file} (n_fft ${geo.nFft}, hop ${geo.hop})` }));

const mag = dsp.stftMagnitude(x, geo);
const { signal } = dsp.griffinLim(mag, { ...geo, length: x.length, seed: 1 });
save('comparison.png', comparisonPng(
  {
    original: { waveform: { samples: x, sampleRate: sr }, spectrogram: spec(x) },
    reconstructed: { waveform: { samples: signal, sampleRate: sr }, spectrogram: spec(signal) },
  },
  { title: values.file, subtitle: 'reconstruction: 32 iterations of fast Griffin-Lim from the true magnitude (no model)', labels: ['Original', 'Griffin-Lim'] },
));

// Synthetic 2-D "latents": ten clusters on a ring, seeded.
let s = 7;
const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const n = 3000;
const px = new Float32Array(n); const py = new Float32Array(n); const labels = new Uint8Array(n);
for (let i = 0; i < n; i++) {
  const d = i % 10; labels[i] = d;
  const a = (d / 10) * 2 * Math.PI;
  px[i] = 6 * Math.cos(a) + 1.6 * gauss(); py[i] = 4 * Math.sin(a) + 1.3 * gauss();
}
const scatterOpts = { title: 'Synthetic latent means (illustration)', xLabel: 'PC 1', yLabel: 'PC 2' };
save('scatter.png', scatterPng({ x: px, y: py, labels }, scatterOpts));
save('scatter.svg', scatterSvg({ x: px, y: py, labels }, scatterOpts));

const E = 30; const train = []; const val = []; const kl = [];
for (let e = 0; e < E; e++) {
  train.push(4000 * Math.exp(-e / 5) + 300 + 20 * rnd());
  val.push(4200 * Math.exp(-e / 5) + 380 + 30 * rnd());
  kl.push(20 + 40 * (1 - Math.exp(-e / 4)));
}
const series = [{ name: 'training loss', values: train }, { name: 'validation loss', values: val }, { name: 'KL', values: kl, dashed: true }];
save('loss.png', lossCurvePng(series, { title: 'Loss curve (synthetic illustration)' }));
save('loss.svg', lossCurveSvg(series, { title: 'Loss curve (synthetic illustration)' }));
console.log(written.join('\n'));
