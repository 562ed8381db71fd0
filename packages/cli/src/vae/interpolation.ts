// Interpolation between two recordings or two digits: steps on the straight
// line between their latents (and, for a cvae, between their one-hot
// conditions), decoded to WAVs and drawn as a strip of spectrograms.
import { join } from 'node:path';
import type { Dsp } from '@specvae/dsp-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { SpectrogramVae } from '@specvae/vae-model';
import type { CommandContext } from '../context.js';
import { CliError, InterruptedError } from '../errors.js';
import { stripPng, stripSvg } from '../plots/index.js';
import { dbSpectrogram, voice } from './audio.js';
import { pathKind, writeOutput } from './files.js';
import type { ModelRef } from './generation.js';
import { clipsFromFiles, conditionDigits } from './reconstruction.js';

export type Endpoint = { kind: 'file'; path: string; name: string } | { kind: 'digit'; digit: number };

/** `--from` / `--to`: an existing file, else a digit 0-9. */
export async function parseEndpoint(value: string, flag: string): Promise<Endpoint> {
  const kind = await pathKind(value);
  if (kind === 'file') return { kind: 'file', path: value, name: value.split(/[\\/]/).pop() ?? value };
  if (/^[0-9]$/.test(value)) return { kind: 'digit', digit: Number(value) };
  if (kind === 'dir') throw new CliError(`${flag} ${value} is a folder; give a WAV file or a digit 0-9`, { code: 'EISDIR' });
  throw new CliError(`no such file: ${value} (${flag} takes a WAV file or a digit 0-9)`, { code: 'ENOENT' });
}

interface Point {
  z: Float32Array;
  /** cvae: one-hot condition. */
  cond: Float32Array | null;
  label: string;
}

async function pointOf(
  ctx: CommandContext, dsp: Dsp, model: ModelRef, e: Endpoint, classMeans: Float32Array | null, digitFlag: number | undefined,
): Promise<Point> {
  const { vae } = model;
  const a = vae.architecture;
  const oneHot = (digit: number): Float32Array => {
    const v = new Float32Array(a.classes ?? 10);
    v[digit] = 1;
    return v;
  };
  if (e.kind === 'digit') {
    if (a.kind === 'cvae') return { z: new Float32Array(a.latentDim), cond: oneHot(e.digit), label: `digit ${e.digit}` };
    if (!classMeans) throw new CliError('interpolating between digits with an unconditional model needs the class means of the training set', { code: 'NO_CLASS_MEANS' });
    return { z: classMeans.slice(e.digit * a.latentDim, (e.digit + 1) * a.latentDim), cond: null, label: `digit ${e.digit}` };
  }
  const clips = await clipsFromFiles(ctx, dsp, model, [e.path], true);
  const labels = conditionDigits(model, clips, digitFlag);
  const { mu } = vae.encode(clips.x, labels);
  return { z: mu, cond: labels ? oneHot(labels[0]!) : null, label: e.name };
}

/** Decodes latents with (possibly mixed) one-hot conditions: a cvae between two digits. */
function decodeMixed(vae: SpectrogramVae, z: Float32Array, cond: Float32Array | null): Float32Array {
  if (!cond) return vae.decode(z);
  const d = vae.architecture.latentDim;
  const n = z.length / d;
  const classes = cond.length / n;
  return tf.tidy(() => {
    const out = vae.decoder.apply([tf.tensor2d(z, [n, d]), tf.tensor2d(cond, [n, classes])], { training: false }) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

export interface InterpolationResult {
  outDir: string;
  from: string;
  to: string;
  steps: { t: number; wav: string }[];
  strip: { png: string; svg: string };
}

export async function interpolateClips(
  ctx: CommandContext, dsp: Dsp, model: ModelRef,
  opts: { from: Endpoint; to: Endpoint; steps: number; outDir: string; nIter?: number; seed: number; digit?: number; classMeans: Float32Array | null },
): Promise<InterpolationResult> {
  const { vae, features } = model;
  const a = await pointOf(ctx, dsp, model, opts.from, opts.classMeans, opts.digit);
  const b = await pointOf(ctx, dsp, model, opts.to, opts.classMeans, opts.digit);
  const z = SpectrogramVae.interpolate(a.z, b.z, opts.steps);
  const cond = a.cond && b.cond ? SpectrogramVae.interpolate(a.cond, b.cond, opts.steps) : null;
  const spectra = decodeMixed(vae, z, cond);
  const per = spectra.length / opts.steps;
  const steps: { t: number; wav: string }[] = [];
  const specs = [];
  for (let i = 0; i < opts.steps; i++) {
    if (ctx.signal.aborted) throw new InterruptedError();
    const t = i / (opts.steps - 1);
    const values = spectra.subarray(i * per, (i + 1) * per);
    const v = voice(dsp, features, values, { seed: opts.seed, ...(opts.nIter !== undefined ? { nIter: opts.nIter } : {}) });
    const wav = join(opts.outDir, `step-${String(i).padStart(2, '0')}.wav`);
    await writeOutput(wav, v.wav);
    steps.push({ t, wav });
    specs.push(dbSpectrogram(features, values));
  }
  const stripOpts = {
    title: `${a.label} \u2192 ${b.label} (${model.description})`,
    labels: steps.map((s) => `t = ${s.t.toFixed(2)}`),
    columns: Math.min(opts.steps, 8),
  };
  const png = join(opts.outDir, 'strip.png');
  const svg = join(opts.outDir, 'strip.svg');
  await writeOutput(png, stripPng(specs, stripOpts));
  await writeOutput(svg, stripSvg(specs, stripOpts));
  return { outDir: opts.outDir, from: a.label, to: b.label, steps, strip: { png, svg } };
}
