// `specvae evaluate`: the package's metrics as a table and JSON.
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import { action, type CommandModule } from '../context.js';
import { dataOptions, intArg, presetCheckOption, runOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

interface EvaluateOptions {
  run: string;
  classifierEpochs: number;
  audioClips: number;
  perDigit: number;
  randomSamples: number;
  seed: number;
  out?: string;
  save: boolean;
  preset?: string;
  data?: string;
  cache?: string;
  strict?: boolean;
}

export const evaluateCommand: CommandModule = {
  name: 'evaluate',
  register(program, invocation) {
    const cmd = program
      .command('evaluate')
      .description('evaluate a trained model on the FSDD test split: reconstruction error, audio distance, digit accuracy of reconstructions and generations');
    runOption(cmd);
    cmd
      .addOption(new Option('--classifier-epochs <n>', 'epochs of the digit classifier trained on the training split').argParser(intArg(1, 1000)).default(12))
      .addOption(new Option('--audio-clips <n>', 'test clips resynthesised by Griffin-Lim for the audio metrics').argParser(intArg(1, 100_000)).default(50))
      .addOption(new Option('--per-digit <n>', 'generations per digit for the conditional accuracy').argParser(intArg(1, 10_000)).default(50))
      .addOption(new Option('--random-samples <n>', 'random samples for the inception score').argParser(intArg(1, 100_000)).default(500))
      .addOption(new Option('--seed <n>', 'seed of the classifier and the samples').argParser(intArg(0, 2 ** 31 - 1)).default(1))
      .addOption(new Option('-o, --out <file>', 'where to write the JSON report (default: <run>/evaluation.json)'))
      .addOption(new Option('--no-save', 'do not write the JSON report file'));
    presetCheckOption(cmd);
    dataOptions(cmd);
    cmd.addHelpText('after', `
The classifier is a small CNN trained on the training split each time (about a minute
for the default preset); its accuracy on the real test clips is the ceiling for the others.

Examples:
  $ specvae evaluate --run runs/main --data ../shared/fsdd
  $ specvae evaluate --run runs/main --json | jq .report.reconstructionAccuracy`);
    cmd.action(action<EvaluateOptions>(invocation, async (opts, ctx) => {
      const m = await loadModule(async () => ({
        session: await import('../vae/session.js'),
        ev: await import('../vae/evaluation.js'),
        dataset: await import('../vae/dataset.js'),
        files: await import('../vae/files.js'),
      }));
      const flags = { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
      let data: { dir: string } = { dir: '' };
      const { dsp, model } = await m.session.openSession(ctx, opts.run, opts.preset, async () => { data = await m.dataset.resolveData(flags, ctx); });
      const r = await m.ev.evaluate(ctx, dsp, model, data.dir, {
        classifierEpochs: opts.classifierEpochs, audioClips: opts.audioClips, perDigit: opts.perDigit, randomSamples: opts.randomSamples,
        seed: opts.seed, flags,
      });
      let file: string | null = null;
      if (opts.save) {
        file = resolve(opts.out ?? (model.runDir ? join(model.runDir, 'evaluation.json') : 'evaluation.json'));
        await m.files.writeOutput(file, m.files.jsonText({ ...r, modelDir: model.modelDir, data: data.dir, createdAt: new Date().toISOString() }));
      }
      ctx.out.result(() => [...m.ev.evaluationTable(r), ...(file ? [`report: ${displayPath(file)}`] : [])], { ...r, modelDir: model.modelDir, file });
    }));
    return cmd;
  },
};
