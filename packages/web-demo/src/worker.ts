// The demo's module Web Worker: all tfjs and DSP work happens here, so the
// page never blocks. One script, two roles: 'inference' (the model in use:
// generate, explore, morph, reconstruct) and 'training' (train a small model
// on files the visitor selected, with progress events).
import * as tf from '@tensorflow/tfjs-core';
import { createDsp, type Dsp } from '@specvae/dsp-wasm';
import {
  SpectrogramVae, defaultArchitecture, featurePreset, featureShape, featuresFromFiles, fromBundle, loadModelUrl, toBundle, trainVae, trainingRecipe,
  type ModelBundle,
} from '@specvae/vae-model';
import { DemoEngine } from './engine.js';
import { checkExtras, computeExtras, type DemoExtras } from './extras.js';
import type {
  BackendStatus, EventMessage, Method, Methods, ModelInfo, Params, ReadyInfo, RequestMessage, ResponseMessage, Result, TrainOutcome,
} from './protocol.js';
import { selectBackend } from './worker/backend.js';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<RequestMessage>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let backend: BackendStatus | null = null;
let dspPromise: Promise<Dsp> | null = null;
let builtIn: DemoEngine | null = null;
let trained: DemoEngine | null = null;
let engine: DemoEngine | null = null;
let abortTraining: AbortController | null = null;

const getDsp = (): Promise<Dsp> => (dspPromise ??= createDsp());
const emit = (m: EventMessage): void => scope.postMessage(m);

function need(): DemoEngine {
  if (!engine) throw new Error('no model loaded');
  return engine;
}

/** Transferable buffers of typed arrays in a result (each buffer once). */
function buffersOf(value: unknown, out = new Set<ArrayBuffer>(), depth = 0): Set<ArrayBuffer> {
  if (depth > 4 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    // Only arrays that own their whole buffer (never a view of WebAssembly memory).
    if (value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) out.add(value.buffer);
  } else if (value instanceof ArrayBuffer) {
    out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) buffersOf(v, out, depth + 1);
  } else {
    for (const v of Object.values(value)) buffersOf(v, out, depth + 1);
  }
  return out;
}

async function engineFromBundle(bundle: ModelBundle, extrasJson: unknown, label: string): Promise<DemoEngine> {
  const vae = await fromBundle(bundle);
  try {
    const extras = extrasJson === null ? null : checkExtras(extrasJson, vae.architecture.latentDim, `${label} model extras`);
    return new DemoEngine(await getDsp(), vae, bundle.manifest.features, extras, label, bundle.manifest.training ?? null);
  } catch (e) {
    vae.dispose();
    throw e;
  }
}

async function loadBuiltIn(modelUrl: string, extrasUrl: string | null): Promise<DemoEngine> {
  const bundle = await loadModelUrl(new URL(modelUrl, self.location.href));
  // A model folder without demo-extras.json (as the CLI writes it) works too, without the explorer.
  const res = extrasUrl === null ? null : await fetch(new URL(extrasUrl, self.location.href));
  const extras: unknown = res?.ok ? await res.json() : null;
  return engineFromBundle(bundle, extras, 'built-in');
}

async function train(p: Params<'train'>): Promise<TrainOutcome> {
  const t0 = performance.now();
  const dsp = await getDsp();
  const features = featurePreset('default');
  emit({ event: 'train-status', text: `computing the spectrograms of ${p.files.length} files` });
  const ff = featuresFromFiles(dsp, p.files.map((f) => ({ name: f.name, bytes: f.bytes })), features);
  const n = ff.files.length;
  if (n < 2) {
    throw new Error(`need at least 2 usable WAV files (got ${n}${ff.skipped.length ? `; ${ff.skipped[0]!.reason}` : ''})`);
  }
  const labelled = ff.files.every((f) => f.fsdd !== null);
  const labels = labelled ? ff.files.map((f) => f.fsdd!.digit) : undefined;
  const base = defaultArchitecture(featureShape(features).inputShape, labelled ? 'cvae' : 'standard');
  // A small model (half the default filters): steps take a fraction of a second.
  const architecture = { ...base, filters: [8, 16, 32, 64], seed: p.seed };
  const vae = new SpectrogramVae(architecture);
  abortTraining = new AbortController();
  const batches = Math.ceil(n / p.batchSize);
  emit({ event: 'train-status', text: `training a ${labelled ? 'conditional' : 'standard'} VAE (${vae.parameterCount.toLocaleString('en')} parameters) on ${n} recordings, ${batches} steps per epoch` });
  let stepStart = performance.now();
  // The default recipe's per-variable spike guard: a rare outsized batch gradient must not throw the run off.
  const { spikeClip } = trainingRecipe('default');
  let result;
  try {
    result = await trainVae(vae, { x: ff.features, n, ...(labels ? { labels } : {}) }, {
      epochs: p.epochs, batchSize: p.batchSize, learningRate: p.learningRate, seed: p.seed, signal: abortTraining.signal,
      ...(spikeClip ? { spikeClip } : {}),
      onBatchEnd: (e) => {
        const t = performance.now();
        emit({ event: 'train-progress', progress: { ...e, epochs: p.epochs, msPerStep: t - stepStart } });
        stepStart = t;
      },
      onEpochEnd: (m) => emit({ event: 'train-epoch', epoch: m.epoch, loss: m.loss, seconds: m.seconds }),
    });
  } finally {
    abortTraining = null;
  }
  emit({ event: 'train-status', text: 'computing the latent plane of the training files' });
  // The explorer: at most 300 recordings, spread over the set.
  const m = Math.min(n, 300);
  const pick = Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
  const size = ff.shape[1] * ff.shape[2];
  const x = new Float32Array(m * size);
  pick.forEach((j, i) => x.set(ff.features.subarray(j * size, (j + 1) * size), i * size));
  const items = pick.map((j) => {
    const f = ff.files[j]!;
    return { file: f.name, digit: f.fsdd?.digit ?? null, speaker: f.fsdd?.speaker ?? null };
  });
  let extras: DemoExtras | null = null;
  if (labelled || vae.architecture.kind !== 'cvae') extras = computeExtras(vae, x, items, `${m} of your ${n} training files`);
  const seconds = (performance.now() - t0) / 1000;
  const bundle = await toBundle(vae, {
    features,
    training: {
      where: 'this browser', backend: backend?.backend ?? '?', files: n, epochs: result.history.length, steps: result.state.step,
      batchSize: p.batchSize, learningRate: p.learningRate, seed: p.seed, seconds: Math.round(seconds), stoppedBy: result.stoppedBy,
    },
  });
  vae.dispose();
  return { bundle, extras, stoppedBy: result.stoppedBy, steps: result.state.step, files: n, skipped: ff.skipped, seconds };
}

type Handlers = { [M in Method]: (p: Params<M>) => Promise<Result<M>> | Result<M> };

const handlers: Handlers = {
  async init(p): Promise<ReadyInfo> {
    backend = await selectBackend(p.wasmPaths);
    const dsp = await getDsp();
    let model: ModelInfo | null = null;
    if (p.role === 'inference' && p.modelUrl !== null) {
      builtIn = await loadBuiltIn(p.modelUrl, p.extrasUrl);
      engine = builtIn;
      model = builtIn.info();
    }
    return { backend, dspSimd: dsp.simd, model };
  },
  generate: (p) => need().generate(p),
  decodePoint: (p) => need().decodePoint(p.x, p.y, p.digit, p.seed, p.nIter),
  decodeRecording: (p) => need().decodeRecording(p.index, p.seed, p.nIter),
  morph: (p) => need().morph(p.a, p.b, p.t, p.seed, p.nIter),
  reconstruct: (p) => need().reconstruct(p),
  resynthesize: (p) => need().resynth(p.nIter, p.seed),
  async loadModel(p) {
    const next = await engineFromBundle(p.bundle, p.extras, p.label);
    trained?.dispose();
    trained = next;
    engine = next;
    return next.info();
  },
  useModel(p) {
    const next = p.which === 'built-in' ? builtIn : trained;
    if (!next) throw new Error(`no ${p.which} model`);
    engine = next;
    return next.info();
  },
  train,
  stopTraining() {
    abortTraining?.abort();
    return null;
  },
};

scope.onmessage = (e: MessageEvent<RequestMessage>) => {
  const { id, method, params } = e.data;
  const run = handlers[method] as (p: unknown) => Promise<unknown> | unknown;
  Promise.resolve()
    .then(() => run(params))
    .then(
      (result) => {
        const msg: ResponseMessage = { id, ok: true, result };
        scope.postMessage(msg, [...buffersOf(result)]);
      },
      (err: unknown) => {
        const msg: ResponseMessage = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
        scope.postMessage(msg);
      },
    );
};

// Keeps tfjs from printing its startup hints into the page's console.
tf.env().set('PROD', true);

export type { Methods };
