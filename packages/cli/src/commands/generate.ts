// `specvae generate`: new clips from a trained model.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { UsageError } from '../errors.js';
import { dataOptions, intArg, numberArg, presetCheckOption, runOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

interface GenerateOptions {
  run: string;
  digit?: number[];
  component?: number[] | 'all';
  n?: number;
  iterations?: number;
  seed: number;
  temperature?: number;
  out?: string;
  preset?: string;
  data?: string;
  cache?: string;
  strict?: boolean;
}

function digitsArg(value: string): number[] {
  if (value === 'all') return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^[0-9]$/.test(p))) throw new InvalidArgumentError('expected a digit 0-9, a list like 1,4,7, or "all"');
  return [...new Set(parts.map(Number))];
}

function componentsArg(value: string): number[] | 'all' {
  if (value === 'all') return 'all';
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^[0-9]{1,4}$/.test(p))) throw new InvalidArgumentError('expected a component number, a list like 0,3 or "all"');
  return [...new Set(parts.map(Number))];
}

export const generateCommand: CommandModule = {
  name: 'generate',
  register(program, invocation) {
    const cmd = program
      .command('generate')
      .description('generate new clips (WAV + spectrogram PNG): of given digits, or random samples of the prior');
    runOption(cmd);
    cmd
      .addOption(new Option('--digit <d>', 'digit(s) to generate: 0-9, a list (1,4,7) or "all" (default: random samples)').argParser(digitsArg))
      .addOption(new Option('--component <k>', 'gmvae: sample mixture component(s) k: a number, a list (0,3) or "all"').argParser(componentsArg).conflicts('digit'))
      .addOption(new Option('-n, --n <count>', 'clips per digit, or random samples in all (default 3 per digit, 10 random)').argParser(intArg(1, 10_000)))
      .addOption(new Option('--iterations <n>', 'Griffin-Lim iterations (default: the model\'s, 32)').argParser(intArg(0, 10_000)))
      .addOption(new Option('--seed <n>', 'seed of the latents and of Griffin-Lim').argParser(intArg(0, 2 ** 31 - 1)).default(1))
      .addOption(new Option('--temperature <t>', 'spread of the digit\'s latent Gaussian (the model\'s class prior): 1 as fitted, below 1 closer to the typical take').argParser(numberArg(0, 10)))
      .addOption(new Option('-o, --out <dir>', 'output folder (default: <run>/generated)'));
    presetCheckOption(cmd);
    dataOptions(cmd);
    cmd.addHelpText('after', `
A cvae generates a digit from its condition (sample i of every digit shares its latent,
so a row of digits shares a "voice"). Standard and Gaussian-mixture VAEs generate a digit
the original's way, from N(class mean, 0.5^2 I) around the digit's mean latent on the
training set (stored as class-means.json by train; computed from --data otherwise).
A Gaussian-mixture VAE also samples its mixture components (--component); with
labelled components (the default) component k is digit k.

Examples:
  $ specvae generate --run runs/main --digit all
  $ specvae generate --run runs/main --digit 7 -n 5 --iterations 100
  $ specvae generate --run runs/main -n 20 --seed 3 --out samples`);
    cmd.action(action<GenerateOptions>(invocation, async (opts, ctx) => {
      const m = await loadModule(async () => ({
        session: await import('../vae/session.js'),
        gen: await import('../vae/generation.js'),
        dataset: await import('../vae/dataset.js'),
        runs: await import('../vae/runs.js'),
      }));
      const flags = { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
      const { dsp, model } = await m.session.openSession(ctx, opts.run, opts.preset);
      const digits = opts.digit ?? null;
      const prior = model.vae.prior;
      let components: number[] | null = null;
      if (opts.component !== undefined) {
        if (!prior) throw new UsageError(`--component needs a Gaussian-mixture VAE; ${model.description} has no mixture prior`);
        components = opts.component === 'all' ? Array.from({ length: prior.components }, (_, k) => k) : opts.component;
        const bad = components.find((k) => k >= prior.components);
        if (bad !== undefined) throw new UsageError(`--component ${bad}: the model has components 0-${prior.components - 1}`);
      }
      let classMeans: Float32Array | null = null;
      if (digits !== null && model.vae.architecture.kind !== 'cvae' && !model.vae.classPrior) {
        if (model.runDir) classMeans = await m.gen.loadClassMeans(m.runs.runPaths(model.runDir).classMeans, model.vae);
        if (!classMeans) {
          ctx.out.note('computing the class means of the training set (no class-means.json in the run folder)');
          const data = await m.dataset.resolveData(flags, ctx);
          classMeans = m.gen.computeClassMeans(model.vae, await m.dataset.loadSplit(ctx, dsp, data.dir, model.features, 'train', flags));
        }
      }
      const outDir = resolve(m.session.outputDir(model, opts.out, 'generated'));
      const clips = await m.gen.generateClips(ctx, dsp, model, {
        digits, components, n: opts.n ?? (digits === null && components === null ? 10 : 3), seed: opts.seed, outDir, classMeans,
        ...(opts.iterations !== undefined ? { nIter: opts.iterations } : {}),
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      });
      ctx.out.result(() => [
        ...clips.map((c) => `${(c.component !== null ? `comp. ${c.component}` : c.digit === null ? 'random' : `digit ${c.digit}`).padEnd(8)} ${displayPath(c.wav)}  ${displayPath(c.png)}`),
        `generated ${clips.length} clip${clips.length === 1 ? '' : 's'} with ${model.description}: ${displayPath(outDir)}`,
      ], { model: model.modelDir, description: model.description, outDir, method: components !== null ? 'component' : digits === null ? 'prior' : model.vae.classPrior ? 'class-prior' : model.vae.architecture.kind === 'cvae' ? 'condition' : 'class-mean', clips });
    }));
    return cmd;
  },
};
