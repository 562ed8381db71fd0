// New clips from a model: per digit (latents from the model's fitted class
// prior, the digit's latent Gaussian, when it has one; otherwise a cvae's
// N(0, I) with the condition, and for the other kinds the original's way,
// N(class mean, 0.5^2 I) around the digit's mean latent on the training set),
// or random prior samples. Each clip is a WAV (Griffin-Lim) and a spectrogram
// PNG.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dsp } from '@specvae/dsp-wasm';
import { latentClassMeans, type FeatureConfig, type SpectrogramVae } from '@specvae/vae-model';
import type { CommandContext } from '../context.js';
import { CliError, InterruptedError } from '../errors.js';
import { spectrogramPng } from '../plots/index.js';
import { createProgress } from '../progress.js';
import { dbSpectrogram, voice } from './audio.js';
import type { SplitFeatures } from './dataset.js';
import { jsonText, writeOutput } from './files.js';

export interface ModelRef {
  vae: SpectrogramVae;
  features: FeatureConfig;
  description: string;
}

export interface GenerateRequest {
  /** Digits to generate (n each), or null for n random prior samples. */
  digits: number[] | null;
  /** gmvae: mixture components to sample from (n each) instead of digits. */
  components?: number[] | null;
  n: number;
  seed: number;
  /** Griffin-Lim iterations (default: the model's feature config). */
  nIter?: number;
  outDir: string;
  /** [10, latentDim] mean latents per digit (unconditional models with digits). */
  classMeans?: Float32Array | null;
  /** Spread around a class mean (default 0.5, the original's). */
  std?: number;
  /** Scale of the class prior's spread (default 1). */
  temperature?: number;
}

export interface GeneratedClip {
  digit: number | null;
  /** The mixture component sampled (generate --component), else null. */
  component: number | null;
  sample: number;
  wav: string;
  png: string;
  /** Griffin-Lim's final spectral convergence. */
  convergence: number;
}

const pad2 = (i: number): string => String(i).padStart(2, '0');

/** Latents and conditions for a request (labels: the digit of each clip, or its component with `components`). */
function plan(vae: SpectrogramVae, req: GenerateRequest): { z: Float32Array; labels: (number | null)[] } {
  const d = vae.architecture.latentDim;
  const cvae = vae.architecture.kind === 'cvae';
  const n = req.n;
  if (req.components) return perKey(req.components, n, d, (component) => vae.sampleLatents(n, req.seed, { component }));
  if (req.digits === null) {
    const z = vae.sampleLatents(n, req.seed);
    return { z, labels: Array.from({ length: n }, (_, i) => (cvae ? i % 10 : null)) };
  }
  // With a class prior or a cvae, every digit uses the same seed: sample i of each digit shares its noise ("style").
  if (vae.classPrior) {
    return perKey(req.digits, n, d, (digit) => vae.sampleLatents(n, req.seed, { digits: new Array<number>(n).fill(digit), temperature: req.temperature ?? 1 }));
  }
  if (cvae) {
    const shared = vae.sampleLatents(n, req.seed);
    return perKey(req.digits, n, d, () => shared);
  }
  const means = req.classMeans;
  if (!means) throw new CliError('generating a digit with an unconditional model needs the class means of the training set', { code: 'NO_CLASS_MEANS' });
  return perKey(req.digits, n, d, (digit) => {
    const center = means.subarray(digit * d, (digit + 1) * d);
    return vae.sampleLatents(n, req.seed + 7919 * (digit + 1), { around: { center, std: req.std ?? 0.5 } });
  });
}

/** n latents of dimension d per key (digit or component), key after key, each labelled with its key. */
function perKey(keys: readonly number[], n: number, d: number, latents: (key: number) => Float32Array): { z: Float32Array; labels: number[] } {
  const z = new Float32Array(keys.length * n * d);
  const labels: number[] = [];
  keys.forEach((key, k) => {
    z.set(latents(key), k * n * d);
    for (let i = 0; i < n; i++) labels.push(key);
  });
  return { z, labels };
}

/** Generates, voices and draws the clips of `req` into `req.outDir`. */
export async function generateClips(ctx: CommandContext, dsp: Dsp, model: ModelRef, req: GenerateRequest): Promise<GeneratedClip[]> {
  const { vae, features } = model;
  const d = vae.architecture.latentDim;
  const { z, labels } = plan(vae, req);
  const total = labels.length;
  const cvae = vae.architecture.kind === 'cvae';
  const byComponent = req.components != null;
  const progress = createProgress(ctx.out, { label: 'generate', total, itemName: 'clip', lineIntervalMs: 2000 });
  const out: GeneratedClip[] = [];
  const perDigitCount = new Map<number | null, number>();
  try {
    for (let s = 0; s < total; s += 16) {
      const size = Math.min(16, total - s);
      const conds = labels.slice(s, s + size);
      const spectra = vae.decode(z.subarray(s * d, (s + size) * d), cvae ? conds.map((c) => c ?? 0) : undefined);
      const per = spectra.length / size;
      for (let i = 0; i < size; i++) {
        if (ctx.signal.aborted) throw new InterruptedError();
        const label = conds[i]!;
        const k = (perDigitCount.get(label) ?? 0) + 1;
        perDigitCount.set(label, k);
        const digit = byComponent ? null : label;
        const component = byComponent ? label : null;
        const stem = component !== null ? `component-${component}-${pad2(k)}` : digit === null ? `sample-${pad2(k)}` : `digit-${digit}-${pad2(k)}`;
        const values = spectra.subarray(i * per, (i + 1) * per);
        const v = voice(dsp, features, values, { ...(req.nIter !== undefined ? { nIter: req.nIter } : {}), seed: req.seed + s + i });
        const wav = join(req.outDir, `${stem}.wav`);
        const png = join(req.outDir, `${stem}.png`);
        await writeOutput(wav, v.wav);
        const title = component !== null ? `Component ${component}, sample ${k}` : digit === null ? `Random sample ${k}` : `Digit ${digit}, sample ${k}`;
        await writeOutput(png, spectrogramPng(dbSpectrogram(features, values), { title: `${title} (${model.description})` }));
        out.push({ digit, component, sample: k, wav, png, convergence: v.convergence });
        progress.increment();
      }
    }
  } finally {
    progress.stop();
  }
  return out;
}

/** class-means.json: mean posterior mean per digit on the training set. */
export interface ClassMeansFile {
  format: 'specvae-class-means';
  latentDim: number;
  clips: number;
  means: number[][];
}

export function computeClassMeans(vae: SpectrogramVae, train: SplitFeatures): Float32Array {
  return latentClassMeans(vae, { x: train.x, labels: train.items.map((it) => it.digit) });
}

export async function saveClassMeans(path: string, vae: SpectrogramVae, means: Float32Array, clips: number): Promise<void> {
  const d = vae.architecture.latentDim;
  const file: ClassMeansFile = {
    format: 'specvae-class-means', latentDim: d, clips,
    means: Array.from({ length: means.length / d }, (_, k) => Array.from(means.subarray(k * d, (k + 1) * d))),
  };
  await writeOutput(path, jsonText(file));
}

/** Reads class-means.json if it is there and fits the model; null otherwise. */
export async function loadClassMeans(path: string, vae: SpectrogramVae): Promise<Float32Array | null> {
  try {
    const f = JSON.parse(await readFile(path, 'utf8')) as Partial<ClassMeansFile>;
    const d = vae.architecture.latentDim;
    if (f.format !== 'specvae-class-means' || f.latentDim !== d || !Array.isArray(f.means) || f.means.length !== 10) return null;
    const out = new Float32Array(10 * d);
    f.means.forEach((row, k) => out.set(row, k * d));
    return out.every(Number.isFinite) ? out : null;
  } catch {
    return null;
  }
}
