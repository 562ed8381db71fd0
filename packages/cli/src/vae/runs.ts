// Run folders and model folders.
//
//   <run>/config.json      what was asked for (model, preset, epochs, ...), format specvae-run/1
//   <run>/metrics.jsonl    one JSON line per completed epoch
//   <run>/model/           the model (tfjs Layers format, specvae.json) plus the optimiser and run
//                          state: a checkpoint, replaced atomically after every epoch
//   <run>/plots/           loss curve (PNG + SVG)
//   <run>/samples/         a few generations after training
//   <run>/class-means.json mean latent per digit on the training set (unconditional models)
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  defaultArchitecture, featureConfigKey, featurePreset, featureShape, fromBundle, originalArchitecture, validateFeatureConfig,
  type Architecture, type FeatureConfig, type FeaturePresetName, type ModelKind, type ModelManifest, type SpectrogramVae,
} from '@specvae/vae-model';
import { loadModelDir } from '@specvae/vae-model/node';
import { CliError, UsageError } from '../errors.js';
import { asCliError } from './engine.js';
import { pathKind } from './files.js';
import { processAlive } from '../process-alive.js';

export const RUN_FORMAT = 'specvae-run';
export const RUN_FORMAT_VERSION = 1;

export const MODEL_KINDS: readonly ModelKind[] = ['standard', 'gmvae', 'cvae'];
export const PRESETS: readonly FeaturePresetName[] = ['default', 'original'];

/** config.json of a run folder. */
export interface RunConfig {
  format: typeof RUN_FORMAT;
  version: number;
  model: ModelKind;
  preset: FeaturePresetName;
  /** A small architecture for tests and quick trials (hidden --tiny). */
  tiny: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** 'cosine': decay over `epochs` (runs written before it existed read as 'constant'). */
  learningRateSchedule: 'constant' | 'cosine';
  /** The trainer's spike guard (null: off; runs written before it existed read as null). */
  spikeClip: number | null;
  /** Decay of the weight average (TrainOptions.weightAverage); null: off (also for runs from before it existed). */
  weightAverage: number | null;
  seed: number;
  klWarmupEpochs: number;
  /** Takes 5 .. 5 + valTakes - 1 of the training split are held out for validation. */
  valTakes: number;
  /** Early-stopping patience in epochs (0: off). */
  patience: number;
  /** At most this many training clips (null: all). */
  limit: number | null;
  features: FeatureConfig;
  architecture: Architecture;
  /** The data folder of the first start (informative). */
  data: string;
  createdAt: string;
  specvae: string;
}

export function runPaths(dir: string) {
  const root = resolve(dir);
  return {
    dir: root,
    config: join(root, 'config.json'),
    metrics: join(root, 'metrics.jsonl'),
    model: join(root, 'model'),
    plots: join(root, 'plots'),
    samples: join(root, 'samples'),
    classMeans: join(root, 'class-means.json'),
  };
}

/**
 * Repairs what a kill can leave around a model folder written by the
 * library's writeFolderAtomic (`.model.tmp-<pid>-<t>` being written,
 * `.model.old-<pid>-<t>` the previous version during the swap): when the
 * folder itself is missing (killed between the two renames), the newest
 * complete previous version is put back; leftovers of dead processes are
 * removed. Returns what it did, for a note.
 */
export async function recoverModelDir(modelDir: string): Promise<string | null> {
  const parent = dirname(modelDir);
  const name = basename(modelDir);
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return null;
  }
  const leftovers = entries
    .map((e) => ({ e, m: new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-`).exec(e) }))
    .filter((x): x is { e: string; m: RegExpExecArray } => x.m !== null && !processAlive(Number(x.m[2])));
  if (leftovers.length === 0) return null;
  let restored: string | null = null;
  const modelThere = entries.includes(name) && (await readFile(join(modelDir, 'specvae.json')).then(() => true, () => false));
  if (!modelThere) {
    // A previous version is complete (it was the live folder); take the newest by its state's epoch.
    let best: { dir: string; epoch: number } | null = null;
    for (const { e, m } of leftovers) {
      if (m[1] !== 'old') continue;
      const dir = join(parent, e);
      const epoch = await readFile(join(dir, 'state.json'), 'utf8').then((t) => Number((JSON.parse(t) as { epoch?: number }).epoch ?? 0), () => -1);
      const hasModel = await readFile(join(dir, 'specvae.json')).then(() => true, () => false);
      if (hasModel && (best === null || epoch > best.epoch)) best = { dir, epoch };
    }
    if (best) {
      await rm(modelDir, { recursive: true, force: true });
      await rename(best.dir, modelDir);
      restored = `restored ${modelDir} from ${basename(best.dir)} (the previous run was killed while replacing it)`;
    }
  }
  for (const { e } of leftovers) await rm(join(parent, e), { recursive: true, force: true }).catch(() => undefined);
  return restored ?? `removed ${leftovers.length} leftover temporary folder${leftovers.length === 1 ? '' : 's'} of a killed run next to ${modelDir}`;
}

/**
 * The architecture of a model kind and preset (tiny: two small blocks, for
 * tests); `mixture` overrides the gmvae's defaults (labelled components with
 * the preset's classWeight; unlabelled components have no class term).
 */
export function architectureFor(kind: ModelKind, preset: FeaturePresetName, features: FeatureConfig, tiny: boolean,
  mixture: { labelledComponents?: boolean | undefined; classWeight?: number | undefined } = {}): Architecture {
  const inputShape = featureShape(features).inputShape;
  const base = preset === 'original' ? originalArchitecture(kind) : defaultArchitecture(inputShape, kind);
  if (kind === 'gmvae') {
    if (mixture.labelledComponents === false) {
      base.labelledComponents = false;
      delete base.classWeight;
    }
    if (mixture.classWeight !== undefined) base.classWeight = mixture.classWeight;
  }
  if (!tiny) return base;
  return { ...base, inputShape, filters: [4, 8], strides: [[4, 4], [4, 4]], latentDim: 4 };
}

/** Reads and checks config.json; null when the folder has none. */
export async function readRunConfig(dir: string): Promise<RunConfig | null> {
  const path = runPaths(dir).config;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw asCliError(e);
  }
  let c: Partial<RunConfig>;
  try {
    c = JSON.parse(text) as Partial<RunConfig>;
  } catch {
    throw new CliError(`${path}: not valid JSON (damaged file?)`, { code: 'RUN_FORMAT' });
  }
  if (c.format !== RUN_FORMAT) throw new CliError(`${path}: not a specvae run configuration`, { code: 'RUN_FORMAT' });
  if (typeof c.version !== 'number' || c.version > RUN_FORMAT_VERSION) {
    throw new CliError(`${path}: run format version ${String(c.version)} is newer than this specvae reads (${RUN_FORMAT_VERSION}); upgrade specvae`, { code: 'RUN_FORMAT' });
  }
  if (!MODEL_KINDS.includes(c.model as ModelKind) || !PRESETS.includes(c.preset as FeaturePresetName)) {
    throw new CliError(`${path}: unknown model kind or preset`, { code: 'RUN_FORMAT' });
  }
  c.learningRateSchedule ??= 'constant';
  c.spikeClip ??= null;
  c.weightAverage ??= null;
  if (c.weightAverage !== null && !(typeof c.weightAverage === 'number' && c.weightAverage > 0 && c.weightAverage < 1)) {
    throw new CliError(`${path}: weightAverage must be a number in (0, 1) or null`, { code: 'RUN_FORMAT' });
  }
  if (c.spikeClip !== null && !(typeof c.spikeClip === 'number' && c.spikeClip > 0)) {
    throw new CliError(`${path}: spikeClip must be a positive number or null`, { code: 'RUN_FORMAT' });
  }
  if (c.learningRateSchedule !== 'constant' && c.learningRateSchedule !== 'cosine') {
    throw new CliError(`${path}: unknown learningRateSchedule ${JSON.stringify(c.learningRateSchedule)}`, { code: 'RUN_FORMAT' });
  }
  try {
    c.features = validateFeatureConfig(c.features);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`, { code: 'RUN_FORMAT' });
  }
  return c as RunConfig;
}

/** The preset whose feature config equals `features`, or null. */
export function presetOf(features: FeatureConfig): FeaturePresetName | null {
  const key = featureConfigKey(features);
  return PRESETS.find((p) => featureConfigKey(featurePreset(p)) === key) ?? null;
}

export interface OpenedModel {
  vae: SpectrogramVae;
  manifest: ModelManifest;
  features: FeatureConfig;
  preset: FeaturePresetName | null;
  modelDir: string;
  /** The run folder, when `--run` named one (outputs go inside it by default). */
  runDir: string | null;
  /** 'cvae (default preset)', for titles. */
  description: string;
}

/** A model folder found and checked, its files read, not yet turned into tensors (no backend needed). */
export type FoundModel = Omit<OpenedModel, 'vae'> & { bundle: Awaited<ReturnType<typeof loadModelDir>> };

/**
 * Opens `--run DIR`: a run folder (its model/) or a model folder. Checks the
 * format, that the feature config fits the architecture, and `preset` when
 * given. Missing, damaged, foreign or newer folders give one line.
 */
export async function openModel(arg: string | FoundModel, opts: { preset?: string } = {}): Promise<OpenedModel> {
  const found = typeof arg === 'string' ? await findModel(arg, opts) : arg;
  const { bundle, ...rest } = found;
  const vae = await fromBundle(bundle).catch((e: unknown) => { throw asCliError(e); });
  return { ...rest, vae };
}

/** The checks of openModel that need no tensors: fast, so bad input fails before the backend starts. */
export async function findModel(arg: string, opts: { preset?: string } = {}): Promise<FoundModel> {
  const dir = resolve(arg);
  const kind = await pathKind(dir);
  if (kind === null) throw new CliError(`no such run or model folder: ${arg}`, { code: 'ENOENT' });
  if (kind !== 'dir') throw new CliError(`not a folder: ${arg} (--run takes a run folder or a model folder)`, { code: 'NOT_A_DIRECTORY' });
  let modelDir: string;
  let runDir: string | null;
  if (!(await pathKind(join(dir, 'specvae.json'))) && (await pathKind(join(dir, 'config.json')))) await recoverModelDir(join(dir, 'model')).catch(() => null);
  if (await pathKind(join(dir, 'specvae.json'))) {
    modelDir = dir;
    runDir = null;
  } else if (await pathKind(join(dir, 'model', 'specvae.json'))) {
    modelDir = join(dir, 'model');
    runDir = dir;
  } else if (await pathKind(join(dir, 'config.json'))) {
    throw new CliError(`the run in ${arg} has no model yet (it was stopped before its first epoch ended); continue it with specvae train --out ${arg} --resume`, { code: 'NO_MODEL' });
  } else {
    throw new CliError(`${arg} is not a specvae run or model folder (no specvae.json or model/specvae.json)`, { code: 'NOT_A_MODEL' });
  }
  const bundle = await loadModelDir(modelDir).catch((e: unknown) => { throw asCliError(e); });
  const manifest = bundle.manifest;
  const where = join(modelDir, 'specvae.json');
  let features: FeatureConfig;
  try {
    features = validateFeatureConfig(manifest.features);
  } catch (e) {
    throw new CliError(`${where}: the model's feature configuration is missing or invalid (${(e as Error).message})`, { code: 'MODEL_FORMAT' });
  }
  const shape = featureShape(features).inputShape;
  const a = manifest.architecture;
  if (a.inputShape[0] !== shape[0] || a.inputShape[1] !== shape[1]) {
    throw new CliError(`${where}: the model takes ${a.inputShape[0]} x ${a.inputShape[1]} spectrograms but its features are ${shape[0]} x ${shape[1]}`, { code: 'MODEL_FORMAT' });
  }
  const stated = typeof manifest.training?.['preset'] === 'string' ? manifest.training['preset'] as string : null;
  const preset = PRESETS.includes(stated as FeaturePresetName) ? stated as FeaturePresetName : presetOf(features);
  if (opts.preset !== undefined && opts.preset !== preset) {
    throw new UsageError(`the model in ${arg} was trained with the ${preset ? `'${preset}'` : 'a custom'} feature preset, not '${opts.preset}'; drop --preset or use a model of that preset`, { code: 'PRESET_MISMATCH' });
  }
  return { bundle, manifest, features, preset, modelDir, runDir, description: `${a.kind === 'standard' ? 'standard VAE' : a.kind}, ${preset ?? 'custom'} preset` };
}
