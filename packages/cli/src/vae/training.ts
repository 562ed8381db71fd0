// Training into a run folder (`specvae train`, and the first step of `specvae run`).
//
// - A checkpoint after every epoch: <run>/model is a complete model folder
//   plus the optimiser and run state, swapped in atomically by the library's
//   FolderCheckpointStore, so a SIGKILL at any moment loses at most the epoch
//   in progress and never leaves a half-written model that loads.
// - Ctrl-C: the batch in progress finishes, a checkpoint is written, exit 130.
// - --resume continues from the checkpoint; metrics.jsonl is rewritten from
//   the checkpoint's history, so epochs of a killed run are never counted twice.
// - A time budget (--max-minutes) stops before an epoch that would not fit,
//   and the cosine schedule reaches its floor by the budget's end (trainVae's timeBudgetSeconds).
import { readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  fromBundle, SpectrogramVae, trainVae, TrainingDivergedError, featurePreset, featureShape,
  type BatchEvent, type Checkpoint, type EpochMetrics, type FeaturePresetName, type ModelKind, type TrainResult,
} from '@specvae/vae-model';
import { FolderCheckpointStore } from '@specvae/vae-model/node';
import type { CommandContext } from '../context.js';
import { CliError, InterruptedError, UsageError, errorMessage, systemReason } from '../errors.js';
import { formatDuration } from '../output.js';
import { lossCurvePng, lossCurveSvg } from '../plots/index.js';
import { createProgress, formatNumber, type Progress } from '../progress.js';
import { VERSION } from '../version.js';
import { resolveData, loadSplit, spreadIndices, subset, type DataFlags, type DataSource, type SplitFeatures } from './dataset.js';
import { asCliError, getDsp, startBackend } from './engine.js';
import { appendOutput, ensureDir, jsonText, pathKind, writeError, writeOutput } from './files.js';
import { computeClassMeans, generateClips, saveClassMeans, type GeneratedClip } from './generation.js';
import { architectureFor, readRunConfig, recoverModelDir, runPaths, RUN_FORMAT, RUN_FORMAT_VERSION, type RunConfig } from './runs.js';

export interface TrainRequest {
  /** --out as given, or undefined for the default runs/<defaultName>. */
  out?: string;
  defaultName: string;
  /** The command, for messages that say how to continue. */
  command: 'train' | 'run';
  resume: boolean;
  overwrite: boolean;
  /** Whether an option was given by the user (not a default), by its commander name. */
  given: (name: string) => boolean;
  model: ModelKind;
  /** gmvae: component k is digit k (true) or the mixture is fitted without labels (false). */
  labelledComponents?: boolean | undefined;
  /** gmvae with labelled components: the class term's weight (undefined: the preset's). */
  classWeight?: number | undefined;
  preset: FeaturePresetName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  learningRateSchedule: 'constant' | 'cosine';
  spikeClip: number | null;
  weightAverage: number | null;
  seed: number;
  klWarmup: number;
  valTakes: number;
  patience: number;
  limit?: number;
  tiny: boolean;
  threads?: number;
  /** Stop before an epoch that would end after this many seconds of training (counted from the first epoch's start). */
  maxSeconds?: number;
  /** Runs once the data and the engines are ready, before the first epoch (its time does not count against maxSeconds). */
  beforeTraining?: (info: { config: RunConfig; data: DataSource; train: SplitFeatures }) => Promise<void>;
  data: DataFlags;
  /** Write samples/ after training (default true). */
  samples?: boolean;
}

export type StopReason = TrainResult['stoppedBy'] | 'already-done';

export interface TrainSummary {
  runDir: string;
  modelDir: string;
  config: RunConfig;
  data: DataSource;
  clips: { train: number; validation: number };
  resumedFrom: number | null;
  epochs: number;
  stoppedBy: StopReason;
  history: EpochMetrics[];
  last: EpochMetrics | null;
  /** The whole command: data, features, training, samples. */
  seconds: number;
  /** Training alone (this session's epochs). */
  trainingSeconds: number;
  parameters: number;
  files: { config: string; metrics: string; model: string; lossPng: string; lossSvg: string; classMeans: string | null; samples: GeneratedClip[] };
}

/** How many times a diverged run is restarted from its last checkpoint (the WASM kernels are threaded; a rare bad step is retried). */
const DIVERGENCE_RETRIES = 2;

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return false;
  }
}

/** The run folder: --out, or runs/<name>, runs/<name>-2, ... (a fresh one unless resuming). */
async function chooseRunDir(req: TrainRequest): Promise<string> {
  if (req.out !== undefined) {
    const dir = resolve(req.out);
    const kind = await pathKind(dir);
    if (kind !== null && kind !== 'dir') throw new UsageError(`--out ${req.out} exists and is not a folder`);
    const isRun = kind === 'dir' && (await pathKind(join(dir, 'config.json'))) === 'file';
    if (req.resume) {
      if (!isRun) throw new CliError(`nothing to resume in ${req.out}: no config.json there (start a new run without --resume)`, { code: 'NO_RUN' });
      return dir;
    }
    if (kind === 'dir' && !(await isEmptyDir(dir))) {
      if (!isRun) throw new CliError(`--out ${req.out} is a folder that is not empty and not a specvae run; choose another --out`, { code: 'OUT_EXISTS' });
      if (!req.overwrite) {
        throw new CliError(`${req.out} already holds a run; continue it with --resume, replace it with --overwrite, or choose another --out`, { code: 'RUN_EXISTS' });
      }
      await rm(dir, { recursive: true, force: true }).catch((e: unknown) => { throw writeError(e, dir); });
    }
    return dir;
  }
  const base = resolve('runs', req.defaultName);
  const candidate = (i: number): string => (i === 1 ? base : `${base}-${i}`);
  if (req.resume) {
    let last: string | null = null;
    for (let i = 1; i < 1000; i++) {
      const kind = await pathKind(join(candidate(i), 'config.json'));
      if (kind === 'file') last = candidate(i);
      else if ((await pathKind(candidate(i))) === null) break;
    }
    if (!last) throw new CliError(`no run to resume in ${relative(process.cwd(), base) || base}; give its folder with --out`, { code: 'NO_RUN' });
    return last;
  }
  if (req.overwrite) return chooseRunDir({ ...req, out: base });
  for (let i = 1; ; i++) {
    const dir = candidate(i);
    const kind = await pathKind(dir);
    if (kind === null || (kind === 'dir' && (await isEmptyDir(dir)))) return dir;
  }
}

/** On --resume, options that must agree with the run's config.json. */
function checkResumeConflicts(req: TrainRequest, c: RunConfig): void {
  const checks: [string, string, unknown, unknown][] = [
    ['model', '--model', req.model, c.model],
    ['preset', '--preset', req.preset, c.preset],
    ['unlabelledComponents', '--unlabelled-components', req.labelledComponents === false, c.architecture.labelledComponents === false],
    ['classWeight', '--class-weight', req.classWeight, c.architecture.classWeight ?? 0],
    ['batchSize', '--batch-size', req.batchSize, c.batchSize],
    ['lr', '--lr', req.learningRate, c.learningRate],
    ['lrSchedule', '--lr-schedule', req.learningRateSchedule, c.learningRateSchedule],
    ['spikeClip', '--spike-clip', req.spikeClip, c.spikeClip],
    ['weightAverage', '--weight-average', req.weightAverage, c.weightAverage],
    ['seed', '--seed', req.seed, c.seed],
    ['klWarmup', '--kl-warmup', req.klWarmup, c.klWarmupEpochs],
    ['valTakes', '--val-takes', req.valTakes, c.valTakes],
    ['limit', '--limit', req.limit ?? null, c.limit],
    ['tiny', '--tiny', req.tiny, c.tiny],
  ];
  for (const [name, flag, want, have] of checks) {
    if (req.given(name) && want !== have) {
      throw new UsageError(`${flag} ${String(want)} conflicts with the run being resumed (${flag} ${String(have)}); drop ${flag} or start a new run`, { code: 'RESUME_CONFLICT' });
    }
  }
}

/** Takes 5 .. 5 + valTakes - 1 of the training split: the validation set. */
function splitValidation(train: SplitFeatures, valTakes: number, limit: number | null): { fit: SplitFeatures; val: SplitFeatures | null } {
  const fitIdx: number[] = [];
  const valIdx: number[] = [];
  train.items.forEach((it, i) => (it.index >= 5 && it.index < 5 + valTakes ? valIdx : fitIdx).push(i));
  const fitItems = fitIdx.map((i) => train.items[i]!);
  const chosen = limit !== null && limit < fitIdx.length ? spreadIndices(fitItems, limit).map((k) => fitIdx[k]!) : fitIdx;
  const valItems = valIdx.map((i) => train.items[i]!);
  const valChosen = limit !== null && valIdx.length > 0 ? spreadIndices(valItems, Math.max(1, Math.round(limit / 9))).map((k) => valIdx[k]!) : valIdx;
  return { fit: subset(train, chosen), val: valChosen.length ? subset(train, valChosen) : null };
}

export function describeMetrics(m: EpochMetrics): string {
  const parts = [`loss ${formatNumber(m.loss)}`, `recon ${formatNumber(m.recon)}`, `KL ${formatNumber(m.kl)}`];
  if (m.classNll !== undefined) parts.push(`class NLL ${formatNumber(m.classNll)}`);
  if (m.valLoss !== undefined) parts.push(`val ${formatNumber(m.valLoss)}`);
  if (m.clippedSteps) parts.push(`${m.clippedSteps} ${m.clippedSteps === 1 ? 'step' : 'steps'} clipped`);
  return parts.join(' | ');
}

async function writeLossPlots(paths: ReturnType<typeof runPaths>, history: readonly EpochMetrics[], title: string): Promise<void> {
  if (history.length === 0) return;
  const x = history.map((m) => m.epoch);
  const series = [{ name: 'training loss', values: history.map((m) => m.loss), x }];
  if (history.some((m) => m.valLoss !== undefined)) series.push({ name: 'validation loss', values: history.map((m) => m.valLoss ?? Number.NaN), x });
  const kl = { name: 'KL (training)', values: history.map((m) => m.kl), x, dashed: true };
  const all = [...series, kl];
  const opts = { title: `Loss: ${title}` };
  await writeOutput(join(paths.plots, 'loss.png'), lossCurvePng(all, opts));
  await writeOutput(join(paths.plots, 'loss.svg'), lossCurveSvg(all, opts));
}

/** Trains (or continues) a run; see the module comment. */
export async function trainRun(ctx: CommandContext, req: TrainRequest): Promise<TrainSummary> {
  const t0 = performance.now();
  const dir = await chooseRunDir(req);
  const paths = runPaths(dir);
  const store = new FolderCheckpointStore(paths.model);

  let config: RunConfig;
  let checkpoint: Checkpoint | null = null;
  const previous = req.resume ? await readRunConfig(dir) : null;
  if (previous) {
    checkResumeConflicts(req, previous);
    config = { ...previous };
    if (req.given('epochs')) config.epochs = req.epochs;
    if (req.given('patience')) config.patience = req.patience;
    const repaired = await recoverModelDir(paths.model).catch(() => null);
    if (repaired) ctx.out.note(repaired);
    try {
      checkpoint = await store.load();
    } catch (e) {
      throw new CliError(`cannot resume from ${paths.model}: ${errorMessage(asCliError(e))}`, { code: 'BAD_CHECKPOINT', cause: e });
    }
  } else {
    const features = featurePreset(req.preset);
    config = {
      format: RUN_FORMAT, version: RUN_FORMAT_VERSION, model: req.model, preset: req.preset, tiny: req.tiny,
      epochs: req.epochs, batchSize: req.batchSize, learningRate: req.learningRate, learningRateSchedule: req.learningRateSchedule, spikeClip: req.spikeClip, weightAverage: req.weightAverage, seed: req.seed,
      klWarmupEpochs: req.klWarmup, valTakes: req.valTakes, patience: req.patience, limit: req.limit ?? null,
      features, architecture: architectureFor(req.model, req.preset, features, req.tiny, { labelledComponents: req.labelledComponents, classWeight: req.classWeight }),
      data: '', createdAt: new Date().toISOString(), specvae: VERSION,
    };
  }

  const data = await resolveData(req.data, ctx);
  if (!previous) config.data = data.dir;
  await ensureDir(dir);
  await writeOutput(paths.config, jsonText(config));

  const dsp = await getDsp();
  await startBackend(ctx, req.threads);
  const all = await loadSplit(ctx, dsp, data.dir, config.features, 'train', req.data);
  await req.beforeTraining?.({ config, data, train: all });
  const { fit, val } = splitValidation(all, config.valTakes, config.limit);
  if (fit.n === 0) throw new CliError(`no training clips left in ${data.dir} after holding out ${val?.n ?? 0} for validation; lower --val-takes`, { code: 'NO_TRAINING_DATA' });

  // The model: from the checkpoint, or new.
  let vae: SpectrogramVae;
  if (checkpoint) {
    vae = await fromBundle(checkpoint.bundle).catch((e: unknown) => { throw asCliError(e); });
    if (JSON.stringify(vae.architecture) !== JSON.stringify(config.architecture)) {
      throw new CliError(`the checkpoint in ${paths.model} does not match ${paths.config} (another architecture)`, { code: 'BAD_CHECKPOINT' });
    }
  } else {
    vae = new SpectrogramVae(config.architecture);
    if (previous) ctx.out.note(`no checkpoint in ${paths.model} yet (the run stopped during its first epoch): starting from epoch 1`);
  }
  const resumedFrom = checkpoint ? checkpoint.state.epoch : null;
  const history: EpochMetrics[] = checkpoint ? [...checkpoint.state.history] : [];
  // metrics.jsonl always matches the checkpoint: epochs after it are redone.
  await writeOutput(paths.metrics, history.map((m) => JSON.stringify(m)).join('\n') + (history.length ? '\n' : ''));

  const shape = featureShape(config.features);
  const labels = fit.items.map((it) => it.digit);
  const batches = Math.ceil(fit.n / config.batchSize);
  const title = `${config.model} (${config.preset} preset${config.tiny ? ', tiny' : ''})`;
  const startEpoch = resumedFrom ?? 0;
  ctx.out.note(
    `${resumedFrom !== null ? `resuming ${title} at epoch ${resumedFrom + 1}` : `training ${title}`}, ${vae.parameterCount.toLocaleString('en')} parameters, `
    + `on ${fit.n} clips of ${shape.nBins} x ${shape.nFrames}${val ? ` (${val.n} held out for validation)` : ''}, batch ${config.batchSize}, `
    + `learning rate ${config.learningRate}${config.learningRateSchedule === 'cosine' ? ' (cosine decay)' : ''}, `
    + `up to ${config.epochs} epochs${req.maxSeconds === undefined ? '' : ` or ${formatDuration(req.maxSeconds)} of training`}; run folder ${dir}`,
  );

  let stoppedBy: StopReason = 'already-done';
  const trainStart = performance.now();
  if (startEpoch < config.epochs) {
    let progress: Progress | undefined;
    const remaining = config.epochs - startEpoch;
    let stepsThisSession = 0;
    let lastEpochEnd = trainStart;
    const epochWall: number[] = [];
    if (ctx.out.interactive) {
      progress = createProgress(ctx.out, {
        label: 'train', total: remaining * batches, itemName: 'step',
        formatPayload: (p) => (p['loss'] === undefined
          ? `epoch ${startEpoch + 1}/${config.epochs}`
          : `epoch ${p['epoch']} | ${describeMetrics(p as unknown as EpochMetrics)}`),
      });
    }
    const onBatchEnd = (e: BatchEvent): void => {
      stepsThisSession++;
      progress?.update(stepsThisSession, { epoch: `${e.epoch}/${config.epochs}`, loss: e.loss, recon: e.recon, kl: e.kl, ...(e.classNll !== undefined ? { classNll: e.classNll } : {}) });
    };
    const onEpochEnd = async (m: EpochMetrics): Promise<void> => {
      const now = performance.now();
      epochWall.push((now - lastEpochEnd) / 1000);
      lastEpochEnd = now;
      history.push(m);
      await appendOutput(paths.metrics, `${JSON.stringify(m)}\n`);
      await writeLossPlots(paths, history, title);
      {
        const done = m.epoch - startEpoch;
        const avg = epochWall.reduce((a, b) => a + b, 0) / epochWall.length;
        const eta = m.epoch < config.epochs && !progress ? ` | ETA ${formatDuration(avg * (config.epochs - m.epoch))}` : '';
        const text = `epoch ${m.epoch}/${config.epochs} | ${describeMetrics(m)} | ${formatDuration(epochWall[done - 1]!)}${eta}`;
        // On a terminal the line goes above the bar (which has the ETA); elsewhere it is the progress.
        if (progress) progress.log(text);
        else ctx.out.note(text);
      }
    };

    let resumeFrom = checkpoint ?? undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await trainVae(vae, { x: fit.x, n: fit.n, labels }, {
          epochs: config.epochs, batchSize: config.batchSize, learningRate: config.learningRate,
          learningRateSchedule: config.learningRateSchedule, seed: config.seed,
          ...(config.spikeClip !== null ? { spikeClip: config.spikeClip } : {}),
          ...(config.weightAverage !== null ? { weightAverage: config.weightAverage } : {}),
          ...(config.klWarmupEpochs > 0 ? { klWarmupEpochs: config.klWarmupEpochs } : {}),
          ...(val ? { validation: { x: val.x, n: val.n, labels: val.items.map((it) => it.digit) } } : {}),
          ...(val && config.patience > 0 ? { earlyStopping: { patience: config.patience } } : {}),
          checkpoint: store,
          ...(resumeFrom ? { resumeFrom } : {}),
          manifestExtra: {
            features: config.features,
            training: {
              preset: config.preset, model: config.model, tiny: config.tiny, dataset: 'FSDD v1.0.10', clips: fit.n,
              validationClips: val?.n ?? 0, batchSize: config.batchSize, learningRate: config.learningRate,
              learningRateSchedule: config.learningRateSchedule, spikeClip: config.spikeClip, weightAverage: config.weightAverage, epochs: config.epochs, seed: config.seed,
              specvae: VERSION,
            },
          },
          signal: ctx.signal,
          // The trainer ends before an epoch that would not fit and runs the cosine schedule by time too.
          ...(req.maxSeconds !== undefined ? { timeBudgetSeconds: Math.max(1, req.maxSeconds - (performance.now() - trainStart) / 1000) } : {}),
          onBatchEnd,
          onEpochEnd,
        });
        stoppedBy = result.stoppedBy;
        break;
      } catch (e) {
        if (e instanceof TrainingDivergedError && attempt < DIVERGENCE_RETRIES) {
          const last = await store.load().catch(() => null);
          progress?.stop();
          ctx.out.warn(`${errorMessage(e).split('. ')[0]}; restarting from the checkpoint of epoch ${last?.state.epoch ?? 0} (retry ${attempt + 1} of ${DIVERGENCE_RETRIES})`);
          vae.dispose();
          vae = last ? await fromBundle(last.bundle) : new SpectrogramVae(config.architecture);
          resumeFrom = last ?? undefined;
          history.length = 0;
          history.push(...(last?.state.history ?? []));
          await writeOutput(paths.metrics, history.map((m) => JSON.stringify(m)).join('\n') + (history.length ? '\n' : ''));
          continue;
        }
        progress?.stop();
        if (e instanceof TrainingDivergedError) {
          throw new CliError(`${errorMessage(e)} The run folder is ${dir}; continue it with --resume and a lower --lr`, { code: 'DIVERGED', cause: e });
        }
        const reason = systemReason(e);
        if (reason && !(e instanceof CliError)) {
          throw new CliError(`cannot write the checkpoint ${paths.model}: ${reason}; the last complete epoch is kept: fix this and continue with specvae ${req.command} --out ${dir} --resume`, { code: (e as NodeJS.ErrnoException).code ?? 'WRITE_FAILED', cause: e });
        }
        throw asCliError(e);
      }
    }
    progress?.stop();
  } else {
    ctx.out.note(`the run already has ${startEpoch} of ${config.epochs} epochs; nothing to train (raise --epochs to train more)`);
  }

  const trainingSeconds = (performance.now() - trainStart) / 1000;
  const epochsDone = history.length ? history[history.length - 1]!.epoch : 0;
  if (ctx.signal.aborted) {
    await writeLossPlots(paths, history, title).catch(() => undefined);
    throw new InterruptedError(`interrupted: the checkpoint in ${paths.model} holds ${epochsDone} complete epoch${epochsDone === 1 ? '' : 's'}; continue with specvae ${req.command} --out ${dir} --resume`);
  }
  await writeLossPlots(paths, history, title);
  // Make sure the model folder holds the final weights (it does after every epoch; also when nothing was trained).
  if ((await pathKind(join(paths.model, 'specvae.json'))) !== 'file') {
    throw new CliError(`training ended without a model in ${paths.model}`, { code: 'NO_MODEL' });
  }

  // class-means.json (unconditional models) and samples/.
  let classMeansPath: string | null = null;
  let classMeans: Float32Array | null = null;
  if (config.model !== 'cvae') {
    classMeans = computeClassMeans(vae, fit);
    await saveClassMeans(paths.classMeans, vae, classMeans, fit.n);
    classMeansPath = paths.classMeans;
  }
  let samples: GeneratedClip[] = [];
  if (req.samples !== false) {
    const model = { vae, features: config.features, description: `${config.model}, ${config.preset} preset, epoch ${epochsDone}` };
    samples = await generateClips(ctx, dsp, model, { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], n: 1, seed: config.seed, outDir: paths.samples, classMeans });
  }
  const parameters = vae.parameterCount;
  vae.dispose();
  return {
    runDir: dir, modelDir: paths.model, config, data, clips: { train: fit.n, validation: val?.n ?? 0 }, resumedFrom,
    epochs: epochsDone, stoppedBy, history, last: history[history.length - 1] ?? null,
    seconds: (performance.now() - t0) / 1000, trainingSeconds, parameters,
    files: {
      config: paths.config, metrics: paths.metrics, model: paths.model,
      lossPng: join(paths.plots, 'loss.png'), lossSvg: join(paths.plots, 'loss.svg'), classMeans: classMeansPath, samples,
    },
  };
}

export function stopReasonText(s: StopReason, config: RunConfig): string {
  switch (s) {
    case 'epochs': return `all ${config.epochs} epochs done`;
    case 'early-stopping': return `stopped early: no validation improvement for ${config.patience} epochs`;
    case 'time': return 'stopped by the time budget';
    case 'abort': return 'interrupted';
    case 'already-done': return 'already trained';
  }
}
