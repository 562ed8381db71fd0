// `specvae latent`: PCA and t-SNE scatter plots of latent means.
import { resolve } from 'node:path';
import { Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { dataOptions, intArg, numberArg, presetCheckOption, runOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

interface LatentOptions {
  run: string;
  split: 'train' | 'test' | 'all';
  perplexity: number;
  iterations: number;
  seed: number;
  tsne: boolean;
  out?: string;
  preset?: string;
  data?: string;
  cache?: string;
  strict?: boolean;
}

export const latentCommand: CommandModule = {
  name: 'latent',
  register(program, invocation) {
    const cmd = program
      .command('latent')
      .description('PCA and t-SNE scatter plots of the latent means of FSDD clips, coloured by digit (SVG and PNG)');
    runOption(cmd);
    cmd
      .addOption(new Option('--split <name>', 'which clips').choices(['test', 'train', 'all']).default('test'))
      .addOption(new Option('--perplexity <p>', 't-SNE perplexity (capped at (clips - 1) / 3)').argParser(numberArg(1, 1000)).default(30))
      .addOption(new Option('--iterations <n>', 't-SNE iterations').argParser(intArg(10, 100_000)).default(1000))
      .addOption(new Option('--seed <n>', 't-SNE seed').argParser(intArg(0, 2 ** 31 - 1)).default(1))
      .addOption(new Option('--no-tsne', 'PCA only (t-SNE of all 3,000 clips takes a few minutes)'))
      .addOption(new Option('-o, --out <dir>', 'output folder (default: <run>/latent)'));
    presetCheckOption(cmd);
    dataOptions(cmd);
    cmd.addHelpText('after', `
Writes pca.png/.svg, tsne.png/.svg and latents.json (file, digit, speaker, latent mean,
both projections) for every clip. A cvae's latents are encoded with each clip's digit,
so they show what the condition leaves to the latent (speaker, timing), not the digits.

Examples:
  $ specvae latent --run runs/main --data ../shared/fsdd
  $ specvae latent --run runs/main --split all --perplexity 50`);
    cmd.action(action<LatentOptions>(invocation, async (opts, ctx) => {
      const m = await loadModule(async () => ({
        session: await import('../vae/session.js'),
        latent: await import('../vae/latent.js'),
        dataset: await import('../vae/dataset.js'),
      }));
      const flags = { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
      let data: { dir: string } = { dir: '' };
      const { dsp, model } = await m.session.openSession(ctx, opts.run, opts.preset, async () => { data = await m.dataset.resolveData(flags, ctx); });
      const outDir = resolve(m.session.outputDir(model, opts.out, 'latent'));
      const r = await m.latent.latentViews(ctx, dsp, model, data.dir, {
        split: opts.split, outDir, perplexity: opts.perplexity, iterations: opts.iterations, seed: opts.seed, tsne: opts.tsne, flags,
      });
      ctx.out.result(() => [
        `latent means of ${r.clips} clips (${r.split} split, ${r.latentDim} dimensions) with ${model.description}`,
        `  PCA    ${displayPath(r.pca.png)} (PC 1 and 2 explain ${(100 * r.pca.explained[0]).toFixed(1)} % and ${(100 * r.pca.explained[1]).toFixed(1)} %)`,
        ...(r.tsne ? [`  t-SNE  ${displayPath(r.tsne.png)} (perplexity ${r.tsne.perplexity}, ${r.tsne.iterations} iterations)`] : []),
        `  data   ${displayPath(r.data)}`,
      ], { model: model.modelDir, description: model.description, ...r });
    }));
    return cmd;
  },
};
