// Latent space views: posterior means of FSDD clips, projected by PCA and
// t-SNE, drawn as scatter plots coloured by digit (SVG and PNG).
import { join } from 'node:path';
import type { Dsp } from '@specvae/dsp-wasm';
import type { CommandContext } from '../context.js';
import { InterruptedError } from '../errors.js';
import { scatterPng, scatterSvg } from '../plots/index.js';
import { createProgress } from '../progress.js';
import { loadSplit, type DataFlags } from './dataset.js';
import { jsonText, writeOutput } from './files.js';
import type { ModelRef } from './generation.js';
import { pca2, tsne2 } from './projection.js';

export interface LatentResult {
  outDir: string;
  split: string;
  clips: number;
  latentDim: number;
  pca: { png: string; svg: string; explained: [number, number] };
  tsne: { png: string; svg: string; perplexity: number; iterations: number } | null;
  data: string;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function latentViews(
  ctx: CommandContext, dsp: Dsp, model: ModelRef, dir: string,
  opts: { split: 'train' | 'test' | 'all'; outDir: string; perplexity: number; iterations: number; seed: number; tsne: boolean; flags: DataFlags },
): Promise<LatentResult> {
  const { vae } = model;
  const s = await loadSplit(ctx, dsp, dir, model.features, opts.split, opts.flags);
  const d = vae.architecture.latentDim;
  const mu = new Float32Array(s.n * d);
  const digits = s.items.map((it) => it.digit);
  for (let i = 0; i < s.n; i += 128) {
    const size = Math.min(128, s.n - i);
    const labels = vae.architecture.kind === 'cvae' ? digits.slice(i, i + size) : undefined;
    mu.set(vae.encode(s.x.subarray(i * s.size, (i + size) * s.size), labels).mu, i * d);
    await yieldNow();
    if (ctx.signal.aborted) throw new InterruptedError();
  }
  const where = `${opts.split} split, ${s.n} clips`;
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const xy = (c: Float64Array) => ({ x: c.filter((_, k) => k % 2 === 0), y: c.filter((_, k) => k % 2 === 1), labels: digits });

  const p = pca2(mu, s.n, d);
  const pcaOpts = { title: `Latent means, PCA (${model.description}; ${where})`, xLabel: `PC 1 (${pct(p.explained[0])} of the variance)`, yLabel: `PC 2 (${pct(p.explained[1])})` };
  const pcaPng = join(opts.outDir, 'pca.png');
  const pcaSvg = join(opts.outDir, 'pca.svg');
  await writeOutput(pcaSvg, scatterSvg(xy(p.coords), pcaOpts));
  await writeOutput(pcaPng, scatterPng(xy(p.coords), pcaOpts));

  let tsne: LatentResult['tsne'] = null;
  let tsneCoords: Float64Array | null = null;
  if (opts.tsne && s.n >= 4) {
    const progress = createProgress(ctx.out, { label: 't-SNE', total: opts.iterations, itemName: 'iteration', lineIntervalMs: 5000 });
    let t;
    try {
      t = await tsne2(mu, s.n, d, {
        perplexity: opts.perplexity, iterations: opts.iterations, seed: opts.seed,
        onProgress: async (done) => {
          progress.update(done);
          await yieldNow();
          if (ctx.signal.aborted) throw new InterruptedError();
        },
      });
    } finally {
      progress.stop();
    }
    tsneCoords = t.coords;
    const tsneOpts = { title: `Latent means, t-SNE (${model.description}; ${where})`, xLabel: 't-SNE 1', yLabel: 't-SNE 2' };
    const png = join(opts.outDir, 'tsne.png');
    const svg = join(opts.outDir, 'tsne.svg');
    await writeOutput(svg, scatterSvg(xy(t.coords), tsneOpts));
    await writeOutput(png, scatterPng(xy(t.coords), tsneOpts));
    tsne = { png, svg, perplexity: t.perplexity, iterations: opts.iterations };
  } else if (opts.tsne) {
    ctx.out.warn(`t-SNE needs at least 4 clips (got ${s.n}); skipped`);
  }
  const data = join(opts.outDir, 'latents.json');
  await writeOutput(data, jsonText({
    model: model.description, split: opts.split, latentDim: d,
    clips: s.items.map((it, i) => ({
      file: it.file, digit: it.digit, speaker: it.speaker,
      mu: Array.from(mu.subarray(i * d, (i + 1) * d)),
      pca: [p.coords[2 * i], p.coords[2 * i + 1]],
      ...(tsneCoords ? { tsne: [tsneCoords[2 * i], tsneCoords[2 * i + 1]] } : {}),
    })),
  }));
  return { outDir: opts.outDir, split: opts.split, clips: s.n, latentDim: d, pca: { png: pcaPng, svg: pcaSvg, explained: p.explained }, tsne, data };
}
