// Reconstructions: recordings through the model and back to audio, each as
// the original experiment's 2 x 2 figure (real recording vs reconstruction:
// waveforms above, spectrograms below, one dB scale) and a WAV.
import { join } from 'node:path';
import { decodeWav, type Dsp } from '@specvae/dsp-wasm';
import { featuresFromFiles, logSpectralDistance, meanSquaredError, pipelineSignal } from '@specvae/vae-model';
import type { CommandContext } from '../context.js';
import { CliError, InterruptedError } from '../errors.js';
import { listSome } from '../fsdd/manifest.js';
import { comparisonPng } from '../plots/index.js';
import { createProgress } from '../progress.js';
import { dbSpectrogram, framesFor, pipelineSamples, voice } from './audio.js';
import { loadSplit, spreadIndices, type DataFlags } from './dataset.js';
import { expandInputs, outputStem, readInput, writeOutput } from './files.js';
import type { ModelRef } from './generation.js';

/** Clips ready for the model: features, dB ranges, digits, and the recordings as the pipeline sees them. */
export interface Clips {
  names: string[];
  digits: (number | null)[];
  x: Float32Array;
  ranges: Float32Array;
  /** pipelineSignal() of each recording, cut to the recording's own length. */
  signals: Float32Array[];
  skipped: { file: string; reason: string }[];
}

export function warnSkipped(ctx: CommandContext, skipped: readonly { file: string; reason: string }[], strict: boolean): void {
  if (skipped.length === 0) return;
  const first = skipped[0]!;
  if (strict) throw new CliError(`${first.file}: ${first.reason.replace(`${first.file}: `, '')} (--strict: stopping at the first unusable file)`, { code: 'BAD_FILE' });
  ctx.out.warn(`skipped ${skipped.length} unusable file${skipped.length === 1 ? '' : 's'}: ${
    listSome(skipped.map((s) => `${s.file} (${s.reason.replace(`${s.file}: `, '')})`), 3)} (--strict makes this an error)`);
}

/** Audio files (or folders of them) given on the command line. */
export async function clipsFromFiles(ctx: CommandContext, dsp: Dsp, model: ModelRef, args: readonly string[], strict: boolean): Promise<Clips> {
  const inputs = await expandInputs(args);
  const files: { name: string; bytes: Uint8Array; path: string }[] = [];
  for (const input of inputs) files.push({ name: input.name, bytes: await readInput(input), path: input.path });
  const r = featuresFromFiles(dsp, files, model.features, { onBadFile: 'skip' });
  warnSkipped(ctx, r.skipped, strict);
  if (r.files.length === 0) throw new CliError(`none of the ${files.length} input file${files.length === 1 ? ' is a usable WAV' : 's are usable WAVs'}`, { code: 'NO_INPUT' });
  const signals = r.files.map((f) => {
    const w = decodeWav(files[f.position]!.bytes, { mono: true, name: f.name });
    const s = pipelineSignal(dsp, w.channels[0]!, w.sampleRate, model.features);
    return s.subarray(0, Math.max(1, pipelineSamples(model.features, w.length, w.sampleRate)));
  });
  return {
    names: r.files.map((f) => f.name), digits: r.files.map((f) => f.fsdd?.digit ?? null), x: r.features, ranges: r.ranges, signals,
    skipped: r.skipped,
  };
}

/** `limit` clips of a split of FSDD, spread over digits and speakers. */
export async function clipsFromSplit(
  ctx: CommandContext, dsp: Dsp, model: ModelRef, dir: string, split: 'train' | 'test' | 'all', limit: number, flags: DataFlags,
): Promise<Clips> {
  const s = await loadSplit(ctx, dsp, dir, model.features, split, flags);
  const chosen = spreadIndices(s.items, limit);
  const x = new Float32Array(chosen.length * s.size);
  const ranges = new Float32Array(2 * chosen.length);
  const signals: Float32Array[] = [];
  for (const [i, j] of chosen.entries()) {
    x.set(s.x.subarray(j * s.size, (j + 1) * s.size), i * s.size);
    ranges[2 * i] = s.ranges[2 * j]!;
    ranges[2 * i + 1] = s.ranges[2 * j + 1]!;
    const file = s.items[j]!.file;
    const w = decodeWav(await readInput({ name: file, path: join(dir, file) }), { mono: true, name: file });
    const sig = pipelineSignal(dsp, w.channels[0]!, w.sampleRate, model.features);
    signals.push(sig.subarray(0, Math.max(1, pipelineSamples(model.features, w.length, w.sampleRate))));
  }
  return { names: chosen.map((j) => s.items[j]!.file), digits: chosen.map((j) => s.items[j]!.digit), x, ranges, signals, skipped: [] };
}

/** Digits for the model: from FSDD-style names, or --digit; a conditional model needs one for every clip. */
export function conditionDigits(model: ModelRef, clips: Clips, digit: number | undefined): number[] | undefined {
  const digits = clips.digits.map((d) => digit ?? d);
  if (model.vae.architecture.kind !== 'cvae') return undefined;
  const missing = clips.names.filter((_, i) => digits[i] === null);
  if (missing.length) {
    throw new CliError(`a conditional model (cvae) needs each clip's digit: name the files {digit}_{speaker}_{index}.wav or pass --digit (no digit for ${listSome(missing)})`, { code: 'NO_DIGIT' });
  }
  return digits as number[];
}

export interface ReconstructedClip {
  name: string;
  digit: number | null;
  png: string;
  wav: string;
  /** Mean squared error of the reconstruction in feature space ([0, 1] spectrograms). */
  mse: number;
  /** Log-spectral distance (dB) between the recording and the resynthesised reconstruction. */
  lsd: number;
}

export interface ReconstructResult {
  outDir: string;
  clips: ReconstructedClip[];
  skipped: { file: string; reason: string }[];
  meanMse: number;
  meanLsd: number;
}

/** Reconstructs `clips` and writes `<stem>.png` (2 x 2) and `<stem>.wav` for each into `outDir`. */
export async function reconstructClips(
  ctx: CommandContext, dsp: Dsp, model: ModelRef, clips: Clips, opts: { outDir: string; digit?: number; nIter?: number; seed?: number },
): Promise<ReconstructResult> {
  const { vae, features } = model;
  const labels = conditionDigits(model, clips, opts.digit);
  const n = clips.names.length;
  const per = clips.x.length / n;
  const recon = new Float32Array(clips.x.length);
  for (let s = 0; s < n; s += 32) {
    const size = Math.min(32, n - s);
    recon.set(vae.reconstruct(clips.x.subarray(s * per, (s + size) * per), labels?.slice(s, s + size)), s * per);
  }
  const geometry = { nFft: features.nFft, hop: features.hop, winLength: features.winLength };
  const progress = createProgress(ctx.out, { label: 'reconstruct', total: n, itemName: 'clip', lineIntervalMs: 2000 });
  const out: ReconstructedClip[] = [];
  const used = new Set<string>();
  try {
    for (let i = 0; i < n; i++) {
      if (ctx.signal.aborted) throw new InterruptedError();
      const name = clips.names[i]!;
      let stem = outputStem(name);
      for (let k = 2; used.has(stem); k++) stem = `${outputStem(name)}-${k}`;
      used.add(stem);
      const range: [number, number] = [clips.ranges[2 * i]!, clips.ranges[2 * i + 1]!];
      const original = clips.signals[i]!;
      const xi = clips.x.subarray(i * per, (i + 1) * per);
      const ri = recon.subarray(i * per, (i + 1) * per);
      const v = voice(dsp, features, ri, { range, samples: original.length, seed: (opts.seed ?? 1) + i, ...(opts.nIter !== undefined ? { nIter: opts.nIter } : {}) });
      const frames = framesFor(features, original.length);
      const mse = meanSquaredError(ri, xi);
      const lsd = audioDistance(dsp, geometry, original, v.audio, features.peak);
      const digit = labels?.[i] ?? clips.digits[i] ?? null;
      const png = join(opts.outDir, `${stem}.png`);
      const wav = join(opts.outDir, `${stem}.wav`);
      await writeOutput(wav, v.wav);
      await writeOutput(png, comparisonPng({
        original: { waveform: { samples: original, sampleRate: features.sampleRate }, spectrogram: dbSpectrogram(features, xi, range, frames) },
        reconstructed: { waveform: { samples: v.audio, sampleRate: features.sampleRate }, spectrogram: dbSpectrogram(features, ri, range, frames) },
      }, {
        title: name,
        subtitle: `${model.description}${digit !== null && vae.architecture.kind === 'cvae' ? `, condition ${digit}` : ''} · feature MSE ${mse.toFixed(4)} · log-spectral distance ${lsd.toFixed(1)} dB`,
        labels: ['Original', 'Reconstructed'],
        dbRange: range[1] > range[0] ? range : [range[0] - 1, range[0]],
      }));
      out.push({ name, digit, png, wav, mse, lsd });
      progress.increment();
    }
  } finally {
    progress.stop();
  }
  const mean = (f: (c: ReconstructedClip) => number): number => out.reduce((a, c) => a + f(c), 0) / Math.max(1, out.length);
  return { outDir: opts.outDir, clips: out, skipped: clips.skipped, meanMse: mean((c) => c.mse), meanLsd: mean((c) => c.lsd) };
}

/** Log-spectral distance between a recording (peak-normalised like the resynthesis) and audio, over the shorter length. */
export function audioDistance(dsp: Dsp, geometry: { nFft: number; hop: number; winLength: number }, original: Float32Array, audio: Float32Array, peakTo: number): number {
  let peak = 0;
  for (const v of original) peak = Math.max(peak, Math.abs(v));
  const scaled = peak > 0 ? original.map((v) => (v * peakTo) / peak) : original;
  const len = Math.min(scaled.length, audio.length);
  const P = dsp.stftPower(scaled.subarray(0, len), geometry);
  const Q = dsp.stftPower(audio.subarray(0, len), geometry);
  return logSpectralDistance(P.data, Q.data, P.nBins, P.nFrames);
}

