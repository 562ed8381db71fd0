// `specvae run`: the main job, from data to audio, plots and numbers.
import { join } from 'node:path';
import { Option } from 'commander';
import { action, type CommandContext, type CommandModule } from '../context.js';
import { formatDuration } from '../output.js';
import { intArg } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';
import { trainingOptions, trainRequest, type TrainOptions } from './train.js';

interface RunOptions extends TrainOptions {
  maxMinutes: number;
  reconstructions: number;
  perDigit: number;
  classifierEpochs: number;
  audioClips: number;
  evalPerDigit: number;
  evalRandomSamples: number;
}

async function runAction(opts: RunOptions, ctx: CommandContext, cmd: Parameters<typeof trainRequest>[1]): Promise<void> {
  const t0 = performance.now();
  const budget = opts.maxMinutes * 60;
  const m = await loadModule(async () => ({
    training: await import('../vae/training.js'),
    session: await import('../vae/session.js'),
    recon: await import('../vae/reconstruction.js'),
    gen: await import('../vae/generation.js'),
    latent: await import('../vae/latent.js'),
    ev: await import('../vae/evaluation.js'),
    runs: await import('../vae/runs.js'),
    files: await import('../vae/files.js'),
    engine: await import('../vae/engine.js'),
  }));
  const step = (i: number, what: string): void => ctx.out.note(ctx.out.style(`[${i}/6] ${what}`, 'bold'));

  step(1, 'data and the evaluation\'s digit classifier');
  let classifier: Awaited<ReturnType<typeof m.ev.trainClassifier>> | undefined;
  const train = await m.training.trainRun(ctx, {
    ...trainRequest(opts, cmd, 'run', budget),
    beforeTraining: async ({ config, data, train: split }) => {
      const dsp = await m.engine.getDsp();
      classifier = await m.ev.trainClassifier(ctx, dsp, config.features, data.dir, {
        classifierEpochs: opts.classifierEpochs, seed: config.seed, flags: { strict: opts.strict === true, ...(opts.cache !== undefined ? { cache: opts.cache } : {}) },
      }, split);
      step(2, `training (time budget ${formatDuration(budget)})`);
    },
  });
  const dataFlags = { data: train.data.dir, ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true };
  const tTrained = performance.now();

  const { dsp, model } = await m.session.openSession(ctx, train.runDir);
  const paths = m.runs.runPaths(train.runDir);

  step(3, `reconstructing ${opts.reconstructions} test clips`);
  const clips = await m.recon.clipsFromSplit(ctx, dsp, model, train.data.dir, 'test', opts.reconstructions, dataFlags);
  const recon = await m.recon.reconstructClips(ctx, dsp, model, clips, { outDir: join(train.runDir, 'reconstructions') });

  step(4, `generating ${opts.perDigit} clip${opts.perDigit === 1 ? '' : 's'} of every digit`);
  const classMeans = model.vae.architecture.kind === 'cvae' ? null : await m.gen.loadClassMeans(paths.classMeans, model.vae);
  const generated = await m.gen.generateClips(ctx, dsp, model, {
    digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], n: opts.perDigit, seed: train.config.seed, outDir: join(train.runDir, 'generated'), classMeans,
  });

  step(5, 'latent space: PCA and t-SNE of the test clips');
  const latent = await m.latent.latentViews(ctx, dsp, model, train.data.dir, {
    split: 'test', outDir: join(train.runDir, 'latent'), perplexity: 30, iterations: 1000, seed: train.config.seed, tsne: true, flags: dataFlags,
  });

  step(6, 'evaluation on the test split');
  const evaluation = await m.ev.evaluate(ctx, dsp, model, train.data.dir, {
    classifierEpochs: opts.classifierEpochs, audioClips: opts.audioClips, perDigit: opts.evalPerDigit, randomSamples: opts.evalRandomSamples, seed: train.config.seed, flags: dataFlags,
  }, classifier);
  const evaluationFile = join(train.runDir, 'evaluation.json');
  await m.files.writeOutput(evaluationFile, m.files.jsonText({ ...evaluation, modelDir: model.modelDir, data: train.data.dir, createdAt: new Date().toISOString() }));

  const seconds = (performance.now() - t0) / 1000;
  const summary = {
    runDir: train.runDir,
    seconds,
    /** The VAE's training alone (the epochs of this session), against --max-minutes. */
    trainingSeconds: train.trainingSeconds,
    /** From the start of the command to the end of training: features, the evaluation's classifier (classifierSeconds) and training. */
    untilTrainedSeconds: (tTrained - t0) / 1000,
    classifierSeconds: classifier?.seconds ?? null,
    data: train.data,
    training: {
      model: train.config.model, preset: train.config.preset, epochs: train.epochs, maxEpochs: train.config.epochs, stoppedBy: train.stoppedBy,
      clips: train.clips, parameters: train.parameters, last: train.last, resumedFrom: train.resumedFrom,
    },
    files: {
      config: train.files.config, metrics: train.files.metrics, model: train.files.model, lossCurve: train.files.lossPng,
      samples: paths.samples, reconstructions: recon.outDir, generated: join(train.runDir, 'generated'), latent: latent.outDir,
      evaluation: evaluationFile, summary: join(train.runDir, 'summary.json'),
    },
    reconstructions: recon.clips.map((c) => ({ name: c.name, png: c.png, wav: c.wav, mse: c.mse, lsd: c.lsd })),
    generated: generated.map((g) => ({ digit: g.digit, wav: g.wav, png: g.png })),
    latent: { pca: latent.pca, tsne: latent.tsne, data: latent.data },
    evaluation,
  };
  await m.files.writeOutput(summary.files.summary, m.files.jsonText(summary));

  const f = summary.files;
  const rows: [string, string][] = [
    ['model', `${displayPath(f.model)}  (${train.parameters.toLocaleString('en')} parameters)`],
    ['loss curve', displayPath(f.lossCurve)],
    ['metrics', displayPath(f.metrics)],
    ['reconstructions', `${displayPath(f.reconstructions)}/  (${recon.clips.length} x <clip>.png 2 x 2 figure + <clip>.wav)`],
    ['generations', `${displayPath(f.generated)}/  (digit-<d>-<k>.wav + .png, ${generated.length} clips)`],
    ['latent plots', `${displayPath(latent.pca.png)}${latent.tsne ? `, ${displayPath(latent.tsne.png)}` : ''} (+ .svg)`],
    ['evaluation', displayPath(f.evaluation)],
    ['summary', displayPath(f.summary)],
  ];
  ctx.out.result(() => [
    `specvae run: ${train.config.model} (${train.config.preset} preset) trained ${train.epochs} epoch${train.epochs === 1 ? '' : 's'} in ${formatDuration(train.trainingSeconds)} (${m.training.stopReasonText(train.stoppedBy, train.config)}); whole run ${formatDuration(seconds)}`,
    ...(train.last ? [`  last epoch: ${m.training.describeMetrics(train.last)}`] : []),
    '',
    ...m.ev.evaluationTable(evaluation),
    '',
    `outputs in ${displayPath(train.runDir)}:`,
    ...rows.map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
  ], summary);
}

export const runCommand: CommandModule = {
  name: 'run',
  register(program, invocation) {
    const cmd = program
      .command('run')
      .description('the main job: train on FSDD, then write reconstructions, generations of every digit, latent plots and the evaluation');
    trainingOptions(cmd, { maxMinutes: 15, valTakes: 0, outHelp: 'run folder (default: runs/main, or runs/main-2, ... when taken)' })
      .addOption(new Option('--reconstructions <n>', 'test clips to reconstruct (spread over digits and speakers)').argParser(intArg(1, 300)).default(10))
      .addOption(new Option('--per-digit <n>', 'generated clips per digit').argParser(intArg(1, 100)).default(3))
      .addOption(new Option('--classifier-epochs <n>', 'epochs of the evaluation\'s digit classifier').argParser(intArg(1, 1000)).default(12))
      .addOption(new Option('--audio-clips <n>', 'test clips resynthesised for the evaluation\'s audio metrics').argParser(intArg(1, 300)).default(50))
      .addOption(new Option('--eval-per-digit <n>', 'generations per digit for the conditional accuracy').argParser(intArg(1, 10_000)).default(50).hideHelp())
      .addOption(new Option('--eval-random-samples <n>', 'random samples for the inception score').argParser(intArg(1, 100_000)).default(500).hideHelp())
      .addHelpText('after', `
Steps: [1] the features of FSDD and the evaluation's digit classifier, [2] training
(default: cvae, default preset; stops at --epochs, on early stopping, or when the next epoch,
estimated from the epochs so far, would end after --max-minutes of training; at least one
epoch is trained), [3] reconstructions of test clips (2 x 2 figures +
WAVs), [4] generations of every digit (WAV + spectrogram PNG), [5] PCA and t-SNE of the test
clips' latent means (SVG + PNG), [6] the evaluation table (stdout and evaluation.json). Everything goes into the run folder,
with summary.json listing it. Without --data, FSDD is downloaded into the cache first.
Ctrl-C stops after the current batch with a checkpoint; --resume continues.

Examples:
  $ specvae run --data ../shared/fsdd
  $ specvae run --data ../shared/fsdd --max-minutes 30 --epochs 60 --out runs/long
  $ specvae run --out runs/long --resume`)
      .action(action<RunOptions>(invocation, async (opts, ctx, _args, command) => runAction(opts, ctx, command)));
    return cmd;
  },
};
