// From model features (normalised spectrograms in [0, 1]) to what a person
// looks at and listens to: dB spectrograms for the figures, WAV files.
import type { Dsp } from '@specvae/dsp-wasm';
import { encodeWav } from '@specvae/dsp-wasm';
import { featureShape, resynthesize, type FeatureConfig } from '@specvae/vae-model';
import type { SpectrogramInput } from '../plots/index.js';

/** A clip's features in dB (`range` = the clip's [min, max] dB, default [-topDb, 0]), the first `frames` frames. */
export function dbSpectrogram(config: FeatureConfig, values: Float32Array, range?: readonly [number, number], frames?: number): SpectrogramInput {
  const shape = featureShape(config);
  const [lo, hi] = range ?? [-(config.topDb ?? 80), 0];
  const keep = Math.max(1, Math.min(shape.nFrames, frames ?? shape.nFrames));
  const data = new Float32Array(shape.nBins * keep);
  for (let k = 0; k < shape.nBins; k++) {
    for (let t = 0; t < keep; t++) data[k * keep + t] = values[k * shape.nFrames + t]! * (hi - lo) + lo;
  }
  return { data, nBins: shape.nBins, nFrames: keep, sampleRate: config.sampleRate, hop: config.hop, nFft: config.nFft };
}

/** Frames (center=True) that cover the first `samples` samples. */
export function framesFor(config: FeatureConfig, samples: number): number {
  return Math.min(featureShape(config).nFrames, 1 + Math.ceil(samples / config.hop));
}

/** Samples at the model's rate that a recording of `samples` at `sourceRate` occupies in the pipeline. */
export function pipelineSamples(config: FeatureConfig, samples: number, sourceRate: number): number {
  const kept = config.duration === null ? samples : Math.min(samples, Math.floor(config.duration * sourceRate));
  return Math.min(config.length, Math.round((kept * config.sampleRate) / sourceRate));
}

export interface Voiced {
  audio: Float32Array;
  wav: Uint8Array;
  /** Griffin-Lim's final spectral convergence (NaN with 0 iterations). */
  convergence: number;
}

/** Audio of one clip's features by Griffin-Lim, as samples and as a 16-bit WAV. */
export function voice(dsp: Dsp, config: FeatureConfig, values: Float32Array, opts: { range?: readonly [number, number]; nIter?: number; seed?: number; samples?: number } = {}): Voiced {
  const r = resynthesize(dsp, values, config, {
    ...(opts.range ? { range: [opts.range[0], opts.range[1]] as [number, number] } : {}),
    ...(opts.nIter !== undefined ? { nIter: opts.nIter } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const audio = opts.samples !== undefined && opts.samples < r.audio.length ? r.audio.slice(0, opts.samples) : r.audio;
  return {
    audio,
    wav: encodeWav(audio, r.sampleRate),
    convergence: r.convergence.length ? r.convergence[r.convergence.length - 1]! : Number.NaN,
  };
}
