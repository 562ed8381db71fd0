// `specvae train`: train a VAE on FSDD into a run folder.
import { Option, type Command } from 'commander';
import { DEFAULT_CLASS_WEIGHT, trainingRecipe } from '@specvae/vae-model';
import { action, type CommandContext, type CommandModule } from '../context.js';
import { UsageError } from '../errors.js';
import { formatDuration } from '../output.js';
import { dataOptions, fromUser, intArg, numberArg, threadsOption } from '../vae/options.js';
import { displayPath, loadModule } from './lazy.js';

export interface TrainOptions {
  model: 'standard' | 'gmvae' | 'cvae';
  unlabelledComponents?: boolean;
  classWeight?: number;
  preset: 'default' | 'original';
  epochs?: number;
  batchSize?: number;
  lr?: number;
  lrSchedule?: 'constant' | 'cosine';
  spikeClip?: number;
  weightAverage?: number;
  seed: number;
  klWarmup: number;
  valTakes: number;
  patience: number;
  limit?: number;
  maxMinutes?: number;
  out?: string;
  resume?: boolean;
  overwrite?: boolean;
  samples: boolean;
  threads?: number;
  tiny?: boolean;
  data?: string;
  cache?: string;
  strict?: boolean;
}

function maxMinutesOption(def?: number): Option {
  const o = new Option('--max-minutes <m>', 'stop training before an epoch that would end after this many minutes of training; a cosine learning-rate schedule then reaches its floor by then')
    .argParser(numberArg(0, 1e6, { exclusiveMin: true }));
  return def !== undefined ? o.default(def) : o;
}

/** Options shared by `train` and `run`. */
export function trainingOptions(cmd: Command, defaults: { maxMinutes?: number; valTakes: number; outHelp: string }): Command {
  cmd
    .addOption(new Option('--model <kind>', 'standard VAE, Gaussian-mixture VAE or digit-conditioned VAE').choices(['standard', 'gmvae', 'cvae']).default('cvae'))
    .addOption(new Option('--unlabelled-components', 'gmvae: fit the mixture without the digit labels (default: component k is digit k)'))
    .addOption(new Option('--class-weight <w>', `gmvae: weight of -log p(own digit | z) under the mixture, which keeps the components apart (0: the plain ELBO; default: ${DEFAULT_CLASS_WEIGHT})`)
      .argParser(numberArg(0, 1e6)).conflicts('unlabelledComponents'))
    .addOption(new Option('--preset <name>', 'feature preset: default (8 kHz, 128 x 144) or original (22.05 kHz, 256 x 64, the original experiment)').choices(['default', 'original']).default('default'))
    .addOption(new Option('--epochs <n>', `epochs; the cosine schedule spans them (default: ${recipeText('epochs')}; on --resume: the new total)`).argParser(intArg(1, 100_000)))
    .addOption(maxMinutesOption(defaults.maxMinutes))
    .addOption(new Option('--batch-size <n>', `clips per optimiser step (default: ${recipeText('batchSize')})`).argParser(intArg(1, 4096)))
    .addOption(new Option('--lr <rate>', `Adam learning rate (default: ${recipeText('learningRate')})`).argParser(numberArg(0, 1, { exclusiveMin: true })))
    .addOption(new Option('--lr-schedule <kind>', `constant, or cosine decay to 5 % over --epochs (default: ${recipeText('learningRateSchedule')})`).choices(['constant', 'cosine']))
    .addOption(new Option('--spike-clip <k>', `cut each variable's gradient to k times its running mean norm (0: off; default: ${recipeText('spikeClip')})`).argParser(numberArg(0, 1e6)))
    .addOption(new Option('--weight-average <decay>', `the model is a moving average of the weights with this decay per step (0: off; default: ${recipeText('weightAverage')})`).argParser(numberArg(0, 1, { exclusiveMax: true })))
    .addOption(new Option('--seed <n>', 'seed of the weights, shuffling and noise').argParser(intArg(0, 2 ** 31 - 1)).default(1))
    .addOption(new Option('--kl-warmup <epochs>', 'ramp the KL weight from 0 to 1 over this many epochs').argParser(intArg(0, 100_000)).default(0))
    .addOption(new Option('--val-takes <n>', 'hold out takes 5 .. 5+n-1 of the training split for validation (0: none)').argParser(intArg(0, 45)).default(defaults.valTakes))
    .addOption(new Option('--patience <n>', 'early stopping: epochs without validation improvement (0: off)').argParser(intArg(0, 100_000)).default(5))
    .addOption(new Option('--limit <n>', 'train on at most n clips (spread over digits and speakers), for quick trials').argParser(intArg(1, 1_000_000)))
    .addOption(new Option('-o, --out <dir>', defaults.outHelp))
    .addOption(new Option('--resume', 'continue the run in --out (default: the latest run) from its last checkpoint'))
    .addOption(new Option('--overwrite', 'replace the run in --out').conflicts('resume'))
    .addOption(threadsOption())
    .addOption(new Option('--tiny', 'a tiny architecture (tests, smoke runs)').hideHelp());
  return dataOptions(cmd);
}

export function trainRequest(opts: TrainOptions, cmd: Command, command: 'train' | 'run', maxSeconds?: number) {
  if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out is empty');
  if (opts.unlabelledComponents && opts.model !== 'gmvae') throw new UsageError('--unlabelled-components is for --model gmvae');
  if (opts.classWeight !== undefined && opts.model !== 'gmvae') throw new UsageError('--class-weight is for --model gmvae');
  const recipe = trainingRecipe(opts.preset);
  return {
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    defaultName: command === 'run' ? 'main' : `${opts.model}-${opts.preset}`,
    command,
    resume: opts.resume === true,
    overwrite: opts.overwrite === true,
    given: (name: string) => fromUser(cmd, name),
    model: opts.model, labelledComponents: opts.model === 'gmvae' ? opts.unlabelledComponents !== true : undefined,
    ...(opts.classWeight !== undefined ? { classWeight: opts.classWeight } : {}), preset: opts.preset, epochs: opts.epochs ?? recipe.epochs, batchSize: opts.batchSize ?? recipe.batchSize,
    learningRate: opts.lr ?? recipe.learningRate, learningRateSchedule: opts.lrSchedule ?? recipe.learningRateSchedule,
    spikeClip: opts.spikeClip !== undefined ? (opts.spikeClip > 0 ? opts.spikeClip : null) : recipe.spikeClip,
    weightAverage: opts.weightAverage !== undefined ? (opts.weightAverage > 0 ? opts.weightAverage : null) : recipe.weightAverage,
    seed: opts.seed, klWarmup: opts.klWarmup, valTakes: opts.valTakes, patience: opts.patience,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    tiny: opts.tiny === true,
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(maxSeconds !== undefined ? { maxSeconds } : {}),
    data: { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.cache !== undefined ? { cache: opts.cache } : {}), strict: opts.strict === true },
    samples: opts.samples !== false,
  };
}

async function trainAction(opts: TrainOptions, ctx: CommandContext, cmd: Command): Promise<void> {
  const { trainRun, describeMetrics, stopReasonText } = await loadModule(() => import('../vae/training.js'));
  const s = await trainRun(ctx, trainRequest(opts, cmd, 'train', opts.maxMinutes !== undefined ? opts.maxMinutes * 60 : undefined));
  const rows: [string, string][] = [
    ['run folder', displayPath(s.runDir)],
    ['model', displayPath(s.modelDir)],
    ['metrics', displayPath(s.files.metrics)],
    ['loss curve', displayPath(s.files.lossPng)],
  ];
  if (s.files.samples.length) rows.push(['samples', `${displayPath(s.files.samples[0]!.wav.replace(/\/[^/]*$/, ''))} (${s.files.samples.length} WAVs with spectrogram PNGs)`]);
  ctx.out.result(() => [
    `trained ${s.config.model} (${s.config.preset} preset) to epoch ${s.epochs} of ${s.config.epochs} (${stopReasonText(s.stoppedBy, s.config)}) in ${formatDuration(s.seconds)}`,
    ...(s.last ? [`  last epoch: ${describeMetrics(s.last)}`] : []),
    ...rows.map(([k, v]) => `  ${k.padEnd(11)} ${v}`),
    `next: specvae reconstruct --run ${displayPath(s.runDir)}`,
  ], s);
}

export const trainCommand: CommandModule = {
  name: 'train',
  register(program, invocation) {
    const cmd = program
      .command('train')
      .description('train a spectrogram VAE on FSDD (checkpoint every epoch; Ctrl-C stops cleanly; --resume continues)');
    trainingOptions(cmd, { valTakes: 3, outHelp: 'run folder (default: runs/<model>-<preset>, or -2, -3, ... when taken)' })
      .addOption(new Option('--no-samples', 'do not write samples/ after training'))
      .addHelpText('after', `
The run folder holds config.json, metrics.jsonl (one line per epoch), model/ (the model,
replaced atomically after every epoch together with the optimiser state: a checkpoint),
plots/loss.png and samples/ (one generated clip per digit). A run killed at any moment
loses at most the epoch in progress: continue it with --resume.

Examples:
  $ specvae train --data ../shared/fsdd --epochs 20
  $ specvae train --model standard --preset original --out runs/original
  $ specvae train --out runs/original --resume --epochs 40
  $ specvae train --data ../shared/fsdd --limit 200 --epochs 2   # a quick trial`)
      .action(action<TrainOptions>(invocation, async (opts, ctx, _args, command) => trainAction(opts, ctx, command)));
    return cmd;
  },
};

/** A recipe field's default for both presets, for --help. */
function recipeText(field: 'epochs' | 'batchSize' | 'learningRate' | 'learningRateSchedule' | 'spikeClip' | 'weightAverage'): string {
  const show = (v: unknown) => (v === null ? 'off' : String(v));
  const d = trainingRecipe('default')[field], o = trainingRecipe('original')[field];
  return d === o ? show(d) : `${show(d)} for the default preset, ${show(o)} for original`;
}
