// `specvae reconstruct`: recordings through a trained model and back to audio.
import { resolve } from 'node:path';
import { Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { UsageError } from '../errors.js';
import { dataOptions, digitArg, intArg, presetCheckOption, runOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

interface ReconstructOptions {
  run: string;
  split?: 'train' | 'test' | 'all';
  limit?: number;
  digit?: number;
  iterations?: number;
  out?: string;
  preset?: string;
  data?: string;
  cache?: string;
  strict?: boolean;
}

export const reconstructCommand: CommandModule = {
  name: 'reconstruct',
  register(program, invocation) {
    const cmd = program
      .command('reconstruct')
      .argument('[inputs...]', 'WAV files or folders of WAV files (default: clips of the FSDD test split)')
      .description('reconstruct recordings with a trained model: per clip a 2 x 2 figure (waveforms, spectrograms) and a WAV');
    runOption(cmd);
    cmd
      .addOption(new Option('--split <name>', 'FSDD split to take clips from when no inputs are given').choices(['test', 'train', 'all']))
      .addOption(new Option('--limit <n>', 'clips of the split, spread over digits and speakers (default 10: one per digit)').argParser(intArg(1, 100_000)))
      .addOption(new Option('--digit <d>', 'the digit of every input (a cvae needs one; default: from {digit}_{speaker}_{index}.wav names)').argParser(digitArg))
      .addOption(new Option('--iterations <n>', 'Griffin-Lim iterations (default: the model\'s, 32)').argParser(intArg(0, 10_000)))
      .addOption(new Option('-o, --out <dir>', 'output folder (default: <run>/reconstructions)'));
    presetCheckOption(cmd);
    dataOptions(cmd);
    cmd.addHelpText('after', `
For each clip: <name>.png, the original experiment's figure (original and reconstructed
waveform above, their spectrograms below on one dB scale; the original is the real
recording) and <name>.wav, the reconstruction made audible by Griffin-Lim.
Files that are not usable WAVs are skipped with a warning (--strict: an error).

Examples:
  $ specvae reconstruct --run runs/main --data ../shared/fsdd
  $ specvae reconstruct --run runs/main --split test --limit 30
  $ specvae reconstruct --run runs/main ../shared/fsdd/7_jackson_0.wav my-recordings/ --out recon
  $ specvae reconstruct --run runs/main hello.wav --digit 3`);
    cmd.action(action<ReconstructOptions>(invocation, async (opts, ctx, args) => {
      const inputs = args.filter((a) => a !== '');
      if (inputs.length > 0 && opts.split !== undefined) throw new UsageError('give input files or --split, not both');
      if (inputs.length > 0 && opts.limit !== undefined) throw new UsageError('--limit applies to --split, not to input files');
      const m = await loadModule(async () => ({
        session: await import('../vae/session.js'),
        recon: await import('../vae/reconstruction.js'),
        dataset: await import('../vae/dataset.js'),
      }));
      const flags = { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
      const { dsp, model } = await m.session.openSession(ctx, opts.run, opts.preset);
      const clips = inputs.length > 0
        ? await m.recon.clipsFromFiles(ctx, dsp, model, inputs, flags.strict)
        : await m.recon.clipsFromSplit(ctx, dsp, model, (await m.dataset.resolveData(flags, ctx)).dir, opts.split ?? 'test', opts.limit ?? 10, flags);
      const outDir = resolve(m.session.outputDir(model, opts.out, 'reconstructions'));
      const r = await m.recon.reconstructClips(ctx, dsp, model, clips, {
        outDir, ...(opts.digit !== undefined ? { digit: opts.digit } : {}), ...(opts.iterations !== undefined ? { nIter: opts.iterations } : {}),
      });
      ctx.out.result(() => [
        `${'clip'.padEnd(24)} ${'MSE'.padStart(8)} ${'LSD (dB)'.padStart(9)}  figure`,
        ...r.clips.map((c) => `${c.name.padEnd(24)} ${c.mse.toFixed(4).padStart(8)} ${c.lsd.toFixed(1).padStart(9)}  ${displayPath(c.png)}`),
        `reconstructed ${r.clips.length} clip${r.clips.length === 1 ? '' : 's'} with ${model.description} (mean MSE ${r.meanMse.toFixed(4)}, mean LSD ${r.meanLsd.toFixed(1)} dB)${r.skipped.length ? `, skipped ${r.skipped.length}` : ''}: ${displayPath(outDir)}`,
      ], { model: model.modelDir, description: model.description, ...r });
    }));
    return cmd;
  },
};
