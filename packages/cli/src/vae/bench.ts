// `specvae bench`: how fast this machine runs the pipeline: DSP (features,
// Griffin-Lim) on dsp-wasm, and training steps and inference of a VAE on
// the tfjs WebAssembly backend with our training kernels.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, type Dsp } from '@specvae/dsp-wasm';
import {
  featurePreset, featureShape, featuresFromSignals, resynthesize, SpectrogramVae, trainVae,
  type BackendInfo, type FeaturePresetName, type ModelKind,
} from '@specvae/vae-model';
import type { CommandContext } from '../context.js';
import { InterruptedError } from '../errors.js';
import { architectureFor } from './runs.js';

export interface BenchRequest {
  preset: FeaturePresetName;
  model: ModelKind;
  batchSize: number;
  steps: number;
  clips: number;
  tiny: boolean;
  /** FSDD folder for real recordings (synthetic signals otherwise). */
  dataDir: string | null;
}

export interface BenchResult {
  backend: BackendInfo;
  dsp: { simd: boolean; source: 'fsdd' | 'synthetic'; clips: number; featureSeconds: number; clipsPerSecond: number; griffinLimMs: number; griffinLimIterations: number };
  training: {
    model: ModelKind; preset: FeaturePresetName; tiny: boolean; parameters: number; inputShape: number[]; batchSize: number; steps: number;
    msPerStep: number; clipsPerSecond: number;
    /** One epoch of the default training set (2,520 clips: the training split less 3 takes for validation). */
    epochSecondsEstimate: number;
  };
  inference: { clips: number; msPerClip: number };
}

function signals(req: BenchRequest): { list: Float32Array[]; rates: number[]; source: 'fsdd' | 'synthetic' } {
  if (req.dataDir) {
    const names = readdirSync(req.dataDir).filter((n) => /^\d_[A-Za-z0-9-]+_\d+\.wav$/i.test(n)).sort().slice(0, req.clips);
    if (names.length) {
      const ws = names.map((n) => decodeWav(readFileSync(join(req.dataDir!, n)), { mono: true, name: n }));
      return { list: ws.map((w) => w.channels[0]!), rates: ws.map((w) => w.sampleRate), source: 'fsdd' };
    }
  }
  // Chirps with noise, 0.5 s at 8 kHz (FSDD's median is 0.42 s).
  let s = 12345;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
  const list = Array.from({ length: req.clips }, (_, k) => Float32Array.from({ length: 4000 }, (_, i) => {
    const t = i / 8000;
    return 0.5 * Math.sin(2 * Math.PI * (200 + 50 * k + 800 * t) * t) + 0.05 * rnd();
  }));
  return { list, rates: list.map(() => 8000), source: 'synthetic' };
}

export async function runBench(ctx: CommandContext, dsp: Dsp, backend: BackendInfo, req: BenchRequest): Promise<BenchResult> {
  const features = featurePreset(req.preset);
  const shape = featureShape(features);
  const sig = signals(req);
  ctx.out.note(`dsp: features of ${sig.list.length} ${sig.source === 'fsdd' ? 'FSDD recordings' : 'synthetic clips'} (${req.preset} preset, ${shape.nBins} x ${shape.nFrames})`);
  featuresFromSignals(dsp, sig.list.slice(0, 4), sig.rates.slice(0, 4), features); // warm-up
  let t = performance.now();
  const batch = featuresFromSignals(dsp, sig.list, sig.rates, features);
  const featureSeconds = (performance.now() - t) / 1000;
  const gl = 5;
  resynthesize(dsp, batch.features.subarray(0, shape.size), features); // warm-up
  t = performance.now();
  for (let i = 0; i < gl; i++) resynthesize(dsp, batch.features.subarray((i % sig.list.length) * shape.size, ((i % sig.list.length) + 1) * shape.size), features);
  const griffinLimMs = (performance.now() - t) / gl;
  if (ctx.signal.aborted) throw new InterruptedError();

  const arch = architectureFor(req.model, req.preset, features, req.tiny);
  const vae = new SpectrogramVae(arch);
  const n = req.batchSize * (req.steps + 1);
  const x = new Float32Array(n * shape.size);
  for (let i = 0; i < x.length; i++) x[i] = (Math.sin(i * 0.37) + 1) / 2;
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  ctx.out.note(`training: ${req.model} (${req.preset} preset${req.tiny ? ', tiny' : ''}, ${vae.parameterCount.toLocaleString('en')} parameters), batch ${req.batchSize}, 1 warm-up step + ${req.steps}`);
  const stamps: number[] = [];
  await trainVae(vae, { x, n, labels }, {
    epochs: 1, batchSize: req.batchSize, seed: 1, signal: ctx.signal,
    onBatchEnd: (e) => {
      stamps.push(performance.now());
      ctx.out.debug(`step ${e.step}: loss ${e.loss}`);
    },
  });
  if (ctx.signal.aborted) throw new InterruptedError();
  const msPerStep = stamps.length > 1 ? (stamps[stamps.length - 1]! - stamps[0]!) / (stamps.length - 1) : Number.NaN;
  const m = Math.min(64, n);
  vae.reconstruct(x.subarray(0, 8 * shape.size), arch.kind === 'cvae' ? labels.slice(0, 8) : undefined); // warm-up
  t = performance.now();
  vae.reconstruct(x.subarray(0, m * shape.size), arch.kind === 'cvae' ? labels.slice(0, m) : undefined);
  const msPerClip = (performance.now() - t) / m;
  const parameters = vae.parameterCount;
  vae.dispose();
  return {
    backend,
    dsp: {
      simd: dsp.simd, source: sig.source, clips: sig.list.length, featureSeconds, clipsPerSecond: sig.list.length / featureSeconds,
      griffinLimMs, griffinLimIterations: features.griffinLim.nIter,
    },
    training: {
      model: req.model, preset: req.preset, tiny: req.tiny, parameters, inputShape: arch.inputShape, batchSize: req.batchSize, steps: req.steps,
      msPerStep, clipsPerSecond: (1000 * req.batchSize) / msPerStep, epochSecondsEstimate: (2520 / req.batchSize) * msPerStep / 1000,
    },
    inference: { clips: m, msPerClip },
  };
}
