// The demo's built-in model, in public/model/: a model folder in the
// vae-model format (specvae.json, encoder/ and decoder/ model.json +
// weights.bin) plus `demo-extras.json` (the PCA plane of the FSDD test split's
// latent means, its 2-D points with digit, speaker and file, and the digits'
// latent class means), which the latent explorer and the morph use.
//
// Two ways:
//   - `build-model DIR` (or `--model DIR`): take a model folder trained
//     elsewhere (the project CLI's `default` preset cvae: `<run>/model`, or a
//     copy of it, even public/model itself), check it, write only the model's
//     files (not the CLI's optimiser state) to --out and add demo-extras.json;
//   - otherwise train one here with @specvae/vae-model, the same way the CLI
//     does (the `default` feature preset and architecture, conditional, FSDD's
//     official train split, tfjs-wasm SIMD with the training kernels), for a
//     short time budget: the stand-in until the CLI's model replaces it.
// Both print the test-split loss and reconstruction error, and the size.
//
//   pnpm -F @specvae/web-demo build-model [MODEL_DIR] [--data DIR] [--model DIR] [--minutes 12] [--epochs 8]
//     [--batch 64] [--lr 0.0005] [--clip 0] [--threads 1] [--seed 1] [--out public/model] [--cache DIR]
//     [--recalibrate N]
// --recalibrate N: recompute BatchNorm's moving statistics from N training
// clips (vae.recalibrateBatchNorm) before saving; vae-model's trainer now
// does this after every epoch, models trained before that need it once.
// Training keeps the epoch with the lowest test-split loss.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDsp } from '@specvae/dsp-wasm';
import {
  MemoryCheckpointStore, SpectrogramVae, TrainingDivergedError, defaultArchitecture, evaluateLoss, featurePreset, featureShape, fromBundle,
  initBackend, toBundle, trainVae, validateFeatureConfig, type ModelBundle, type TrainOptions, type TrainResult,
} from '@specvae/vae-model';
import { loadFsddFeatures, loadModelDir, saveModelDir } from '@specvae/vae-model/node';
import { computeExtras } from '../src/extras.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: process.env.FSDD_DIR ?? '/work/shared/fsdd' },
    model: { type: 'string' },
    out: { type: 'string', default: join(pkg, 'public', 'model') },
    cache: { type: 'string', default: resolve(pkg, '..', '..', '.cache', 'features') },
    minutes: { type: 'string', default: '12' },
    epochs: { type: 'string', default: '8' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.0005' },
    clip: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    recalibrate: { type: 'string', default: '0' },
  },
});

if (positionals.length > 1 || (positionals.length === 1 && args.model !== undefined)) {
  throw new Error('build-model: give one model folder (as the argument or with --model)');
}
// Relative paths are relative to where the command was typed (pnpm runs scripts in the package folder).
const fromUser = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
const modelGiven = args.model ?? positionals[0];
const modelArg = modelGiven === undefined ? undefined : fromUser(modelGiven);
args.out = fromUser(args.out!);
args.data = fromUser(args.data!);

const MAX_WEIGHT_BYTES = 10e6;

/**
 * The `specvae train` command that reproduces a CLI run, from the run's
 * config.json (next to its model/ folder), or null when there is none. A run
 * that stopped early (time budget, early stopping, Ctrl-C) is reproduced by
 * asking for the epochs it completed: the same seed repeats a run exactly.
 */
function cliCommand(modelDir: string): string | null {
  let trained: number | undefined;
  try {
    trained = (JSON.parse(readFileSync(join(modelDir, 'state.json'), 'utf8')) as { epoch?: number }).epoch;
  } catch {
    trained = undefined;
  }
  const config = join(resolve(modelDir), '..', 'config.json');
  if (!existsSync(config)) return null;
  try {
    const c = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    if (c['format'] !== 'specvae-run') return null;
    // A cosine schedule spans the planned epochs: a run cut short is the planned run's first epochs.
    const cosine = c['learningRateSchedule'] === 'cosine';
    const cut = cosine && trained !== undefined && trained < Number(c['epochs']) ? `  # stopped after epoch ${trained}` : '';
    const flags: [string, unknown][] = [
      ['--model', c['model']], ['--preset', c['preset']], ['--epochs', cosine ? c['epochs'] : trained ?? c['epochs']], ['--batch-size', c['batchSize']], ['--lr', c['learningRate']],
      ['--lr-schedule', c['learningRateSchedule'] ?? 'constant'], ['--spike-clip', c['spikeClip'] ?? 0], ['--weight-average', c['weightAverage'] ?? 0],
      ['--seed', c['seed']], ['--kl-warmup', c['klWarmupEpochs']], ['--val-takes', c['valTakes']], ['--patience', c['patience']],
      ...(c['limit'] !== null && c['limit'] !== undefined ? [['--limit', c['limit']] as [string, unknown]] : []),
    ];
    return `specvae train ${flags.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`).join(' ')}${c['tiny'] ? ' --tiny' : ''} --data <FSDD folder>${cut}`;
  } catch {
    return null;
  }
}

/** Epochs, steps and time from the checkpoint state a CLI model folder carries (state.json), or {}. */
function checkpointFacts(modelDir: string): Record<string, unknown> {
  try {
    const st = JSON.parse(readFileSync(join(modelDir, 'state.json'), 'utf8')) as {
      epoch?: number; step?: number; history?: { epoch: number; loss: number; valLoss?: number; seconds?: number }[];
    };
    if (typeof st.epoch !== 'number') return {};
    const history = st.history ?? [];
    return {
      epochs: st.epoch, ...(typeof st.step === 'number' ? { steps: st.step } : {}),
      seconds: Math.round(history.reduce((s, h) => s + (h.seconds ?? 0), 0)),
      history: history.map((h) => ({ epoch: h.epoch, loss: Number(h.loss.toPrecision(6)), valLoss: h.valLoss === undefined ? null : Number(h.valLoss.toPrecision(6)) })),
    };
  } catch {
    return {};
  }
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** Mean squared error between the test clips and their reconstructions (from the posterior mean), in feature space. */
function reconstructionMse(vae: SpectrogramVae, x: Float32Array, labels: number[]): number {
  const per = x.length / labels.length;
  let s = 0;
  for (let i = 0; i < labels.length; i += 64) {
    const n = Math.min(64, labels.length - i);
    const xs = x.subarray(i * per, (i + n) * per);
    const r = vae.reconstruct(xs, vae.architecture.kind === 'cvae' ? labels.slice(i, i + n) : undefined);
    for (let k = 0; k < r.length; k++) s += (r[k]! - xs[k]!) ** 2;
  }
  return s / x.length;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const epochs = Number(args.epochs), batchSize = Number(args.batch), learningRate = Number(args.lr), seed = Number(args.seed);
  const minutes = Number(args.minutes), clipNorm = Number(args.clip);
  // One thread by default: the threaded training kernels are not deterministic yet (see the README).
  const info = await initBackend({ threads: Number(args.threads) });
  const backend = `tfjs-wasm ${info.build}, ${info.threads} threads`;
  console.log(`backend: ${backend}`);

  const dsp = await createDsp();
  let features = featurePreset('default');
  let source: ModelBundle | null = null;
  let reproduce: string | null = null;
  let fromCheckpoint: Record<string, unknown> = {};
  if (modelArg) {
    source = await loadModelDir(modelArg);
    features = validateFeatureConfig(source.manifest.features);
    reproduce = cliCommand(modelArg);
    fromCheckpoint = checkpointFacts(modelArg);
    console.log(`model ${resolve(modelArg)}: ${source.manifest.architecture.kind}, ${features.sampleRate} Hz${reproduce ? `\ntrained by: ${reproduce}` : ''}`);
    if (source.manifest.architecture.kind !== 'cvae') console.warn('note: not a conditional model: the digit buttons draw around the class means');
  }
  const test = await loadFsddFeatures(dsp, args.data, features, { split: 'test', cacheDir: args.cache });
  const testLabels = test.items.map((it) => it.digit);
  const testData = { x: test.features, n: test.items.length, labels: testLabels };

  let vae: SpectrogramVae;
  let bundle: ModelBundle;
  if (source) {
    vae = await fromBundle(source);
    bundle = source;
  } else {
    const train = await loadFsddFeatures(dsp, args.data, features, { split: 'train', cacheDir: args.cache });
    console.log(`FSDD ${resolve(args.data)}: ${train.items.length} train, ${test.items.length} test clips`);
    const architecture = { ...defaultArchitecture(featureShape(features).inputShape, 'cvae'), seed };
    vae = new SpectrogramVae(architecture);
    console.log(`cvae (default architecture), latent ${architecture.latentDim}: ${vae.parameterCount.toLocaleString('en')} parameters`);
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), minutes * 60_000);
    const tTrain = performance.now();
    const command = `pnpm -F @specvae/web-demo build-model --minutes ${minutes} --epochs ${epochs} --batch ${batchSize} --lr ${learningRate}`
      + `${clipNorm > 0 ? ` --clip ${clipNorm}` : ''} --threads ${args.threads} --seed ${seed}`;
    const facts = (): Record<string, unknown> => ({
      provisional: true,
      note: 'A briefly trained stand-in until the project CLI trains the demo model; see packages/web-demo/README.md.',
      command, backend, preset: 'default', data: 'FSDD train split (official: recording index 5-49)', files: train.items.length,
      batchSize, learningRate, ...(clipNorm > 0 ? { clipNorm } : {}), seed,
    });
    // The epoch with the lowest test loss (a diverging epoch must not end up in the demo).
    let lastStep = 0;
    let best: { valLoss: number; bundle: ModelBundle; epoch: number; step: number; seconds: number } | null = null;
    const data = { x: train.features, n: train.items.length, labels: train.items.map((it) => it.digit) };
    const store = new MemoryCheckpointStore();
    const options: TrainOptions = {
      epochs, batchSize, learningRate, seed, signal: budget.signal, validation: testData, checkpoint: store, ...(clipNorm > 0 ? { clipNorm } : {}),
      onBatchEnd: (e) => {
        lastStep = e.step;
        if (e.batch % 20 === 0) {
          const s = (performance.now() - tTrain) / 1000;
          console.log(`epoch ${e.epoch} batch ${e.batch}/${e.batches}: loss ${e.loss.toFixed(1)} (recon ${e.recon.toFixed(1)}, KL ${e.kl.toFixed(1)}) ${s.toFixed(0)} s`);
        }
      },
      onEpochEnd: async (m) => {
        console.log(`epoch ${m.epoch}: loss ${m.loss.toFixed(1)}, test ${m.valLoss?.toFixed(1) ?? '?'} in ${m.seconds.toFixed(0)} s`);
        const v = m.valLoss ?? Infinity;
        if (Number.isFinite(v) && (best === null || v < best.valLoss)) {
          const seconds = Math.round((performance.now() - tTrain) / 1000);
          best = { valLoss: v, epoch: m.epoch, step: lastStep, seconds, bundle: await toBundle(vae, { features, training: { ...facts(), epochs: m.epoch, steps: lastStep, seconds } }) };
        }
      },
    };
    // A diverged step (a non-finite loss) is retried from the last epoch's checkpoint, at most 3 times.
    let result: TrainResult | null = null;
    for (let attempt = 0; result === null; attempt++) {
      try {
        result = await trainVae(vae, data, options);
      } catch (e) {
        if (!(e instanceof TrainingDivergedError) || attempt >= 3) throw e;
        const last = await store.load();
        console.warn(`${e.message.split('.')[0]}: retrying from ${last ? `the checkpoint of epoch ${last.state.epoch}` : 'the start'} (${attempt + 1}/3)`);
        vae.dispose();
        vae = last ? await fromBundle(last.bundle) : new SpectrogramVae(architecture);
        options.resumeFrom = last ?? undefined;
        if (!last) delete options.resumeFrom;
      }
    }
    clearTimeout(timer);
    const seconds = (performance.now() - tTrain) / 1000;
    console.log(`stopped by ${result.stoppedBy} after ${result.state.step} steps (${seconds.toFixed(0)} s)`);
    const kept = best as { valLoss: number; bundle: ModelBundle; epoch: number } | null;
    if (!kept) throw new Error('no epoch finished with a finite test loss');
    vae.dispose();
    const history = result.history.map((h) => ({ epoch: h.epoch, loss: Number(h.loss.toPrecision(6)), testLoss: h.valLoss === undefined ? null : Number(h.valLoss.toPrecision(6)) }));
    bundle = { ...kept.bundle, manifest: { ...kept.bundle.manifest, training: { ...kept.bundle.manifest.training, keptEpoch: kept.epoch, history } } };
    vae = await fromBundle(bundle);
    console.log(`keeping epoch ${kept.epoch} (test loss ${kept.valLoss.toFixed(1)})`);
  }

  const recalibrate = Number(args.recalibrate);
  if (recalibrate > 0) {
    const train = await loadFsddFeatures(dsp, args.data, features, { split: 'train', cacheDir: args.cache });
    const n = Math.min(recalibrate, train.items.length);
    const per = train.features.length / train.items.length;
    const pick = Array.from({ length: n }, (_, i) => Math.floor((i * train.items.length) / n));
    const x = new Float32Array(n * per);
    pick.forEach((j, i) => x.set(train.features.subarray(j * per, (j + 1) * per), i * per));
    const before = reconstructionMse(vae, test.features, testLabels);
    vae.recalibrateBatchNorm(x, vae.architecture.kind === 'cvae' ? pick.map((j) => train.items[j]!.digit) : undefined, { batchSize: 64, seed });
    console.log(`BatchNorm statistics recomputed from ${n} training clips: test reconstruction MSE ${before.toFixed(5)} -> ${reconstructionMse(vae, test.features, testLabels).toFixed(5)}`);
    bundle = await toBundle(vae, { features, training: { ...(bundle.manifest.training ?? {}), batchNormRecalibration: n } });
  }
  const val = evaluateLoss(vae, testData, 64, seed);
  const mse = reconstructionMse(vae, test.features, testLabels);
  console.log(`test split (${test.items.length} clips): loss ${val.valLoss.toFixed(1)} (recon ${val.valRecon.toFixed(1)}, KL ${val.valKl.toFixed(1)}), `
    + `reconstruction MSE ${mse.toFixed(5)} (features in [0, 1])`);
  const extras = computeExtras(vae, test.features, test.items.map((it) => ({ file: it.file, digit: it.digit, speaker: it.speaker })),
    `FSDD test split, ${test.items.length} recordings`);
  const manifest = { ...bundle.manifest, training: { ...(bundle.manifest.training ?? {}), ...fromCheckpoint, ...(reproduce ? { command: reproduce } : {}), demoCheck: { testLoss: Number(val.valLoss.toFixed(2)), testReconstructionMse: Number(mse.toFixed(6)) } } };
  await saveModelDir(args.out, { ...bundle, manifest }, { 'demo-extras.json': JSON.stringify(extras) });
  vae.dispose();

  const weights = ['encoder', 'decoder'].reduce((n, p) => n + statSync(join(args.out, p, 'weights.bin')).size, 0);
  console.log(`wrote ${args.out}: ${(folderBytes(args.out) / 1e6).toFixed(2)} MB (${(weights / 1e6).toFixed(2)} MB of float32 weights; limit 10 MB), `
    + `demo-extras.json ${(readFileSync(join(args.out, 'demo-extras.json')).length / 1e3).toFixed(0)} kB; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  if (weights > MAX_WEIGHT_BYTES) throw new Error('the weights exceed 10 MB: quantise them (the default architecture is about 3.5 MB in float32)');
}

main().then(
  // The threaded wasm backend keeps worker threads alive: exit explicitly.
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
