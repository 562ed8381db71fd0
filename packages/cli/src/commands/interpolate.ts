// `specvae interpolate`: between two recordings or two digits.
import { resolve } from 'node:path';
import { Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { dataOptions, digitArg, intArg, presetCheckOption, runOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

interface InterpolateOptions {
  run: string;
  from: string;
  to: string;
  steps: number;
  digit?: number;
  iterations?: number;
  seed: number;
  out?: string;
  preset?: string;
  data?: string;
  cache?: string;
  strict?: boolean;
}

export const interpolateCommand: CommandModule = {
  name: 'interpolate',
  register(program, invocation) {
    const cmd = program
      .command('interpolate')
      .description('interpolate between two recordings or two digits: N steps as WAVs and a strip of spectrograms');
    runOption(cmd);
    cmd
      .addOption(new Option('--from <file|digit>', 'start: a WAV file or a digit 0-9').makeOptionMandatory())
      .addOption(new Option('--to <file|digit>', 'end: a WAV file or a digit 0-9').makeOptionMandatory())
      .addOption(new Option('--steps <n>', 'steps, both ends included').argParser(intArg(2, 64)).default(8))
      .addOption(new Option('--digit <d>', 'the digit of input files whose names do not say it (a cvae needs one)').argParser(digitArg))
      .addOption(new Option('--iterations <n>', 'Griffin-Lim iterations (default: the model\'s, 32)').argParser(intArg(0, 10_000)))
      .addOption(new Option('--seed <n>', 'seed of Griffin-Lim').argParser(intArg(0, 2 ** 31 - 1)).default(1))
      .addOption(new Option('-o, --out <dir>', 'output folder (default: <run>/interpolations/<from>-<to>)'));
    presetCheckOption(cmd);
    dataOptions(cmd);
    cmd.addHelpText('after', `
Files are encoded to their posterior means. A digit is, for a cvae, the latent origin with
that digit's condition (the conditions are mixed along the way); for the other kinds the
digit's mean latent on the training set (class-means.json of the run, or from --data).

Examples:
  $ specvae interpolate --run runs/main --from 3 --to 8
  $ specvae interpolate --run runs/main --from ../shared/fsdd/1_theo_0.wav --to ../shared/fsdd/1_jackson_0.wav --steps 6`);
    cmd.action(action<InterpolateOptions>(invocation, async (opts, ctx) => {
      const m = await loadModule(async () => ({
        session: await import('../vae/session.js'),
        interp: await import('../vae/interpolation.js'),
        gen: await import('../vae/generation.js'),
        dataset: await import('../vae/dataset.js'),
        runs: await import('../vae/runs.js'),
        files: await import('../vae/files.js'),
      }));
      const flags = { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
      const from = await m.interp.parseEndpoint(opts.from, '--from');
      const to = await m.interp.parseEndpoint(opts.to, '--to');
      const { dsp, model } = await m.session.openSession(ctx, opts.run, opts.preset);
      let classMeans: Float32Array | null = null;
      if ((from.kind === 'digit' || to.kind === 'digit') && model.vae.architecture.kind !== 'cvae') {
        if (model.runDir) classMeans = await m.gen.loadClassMeans(m.runs.runPaths(model.runDir).classMeans, model.vae);
        if (!classMeans) {
          const data = await m.dataset.resolveData(flags, ctx);
          classMeans = m.gen.computeClassMeans(model.vae, await m.dataset.loadSplit(ctx, dsp, data.dir, model.features, 'train', flags));
        }
      }
      const name = (e: typeof from): string => (e.kind === 'digit' ? String(e.digit) : m.files.outputStem(e.name));
      const outDir = resolve(opts.out ?? m.session.outputDir(model, undefined, `interpolations/${name(from)}-${name(to)}`));
      const r = await m.interp.interpolateClips(ctx, dsp, model, {
        from, to, steps: opts.steps, outDir, seed: opts.seed, classMeans,
        ...(opts.iterations !== undefined ? { nIter: opts.iterations } : {}), ...(opts.digit !== undefined ? { digit: opts.digit } : {}),
      });
      ctx.out.result(() => [
        `interpolated ${r.from} -> ${r.to} in ${r.steps.length} steps with ${model.description}`,
        `  strip  ${displayPath(r.strip.png)}`,
        `  WAVs   ${displayPath(outDir)}/step-00.wav .. step-${String(r.steps.length - 1).padStart(2, '0')}.wav`,
      ], { model: model.modelDir, description: model.description, ...r });
    }));
    return cmd;
  },
};
