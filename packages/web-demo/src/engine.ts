/**
 * What the inference worker does with a model: generate, decode explorer
 * points, morph, reconstruct recordings. Pure (no DOM, no worker globals):
 * every sound goes through @specvae/vae-model and @specvae/dsp-wasm exactly
 * as the CLI's would (sampleLatents -> decode -> resynthesize).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dsp } from '@specvae/dsp-wasm';
import {
  decodeClip, featureShape, featuresFromSignal, pipelineSignal, project, resynthesize, unproject, validateFeatureConfig,
  type FeatureConfig, type FeatureShape, type SpectrogramVae,
} from '@specvae/vae-model';
import type { DemoExtras } from './extras.js';
import type {
  Endpoint, Generated, GenerateParams, ModelInfo, ReconstructParams, Reconstruction, Rendered, Timings,
} from './protocol.js';

const now = (): number => performance.now();

interface LastRecording {
  name: string;
  original: Rendered;
  features: Float32Array;
  range: [number, number];
  decoded: Float32Array;
  mu: Float32Array;
  digit: number | null;
  digitErrors: number[] | null;
  mse: number;
}

export class DemoEngine {
  readonly shape: FeatureShape;
  readonly features: FeatureConfig;
  private last: LastRecording | null = null;

  constructor(
    readonly dsp: Dsp,
    readonly vae: SpectrogramVae,
    features: unknown,
    readonly extras: DemoExtras | null,
    readonly label: string,
    readonly training: Record<string, unknown> | null = null,
  ) {
    this.features = validateFeatureConfig(features);
    this.shape = featureShape(this.features);
    const [h, w] = vae.architecture.inputShape;
    if (h !== this.shape.nBins || w !== this.shape.nFrames) {
      throw new Error(`the model's input ${h} x ${w} does not match its feature config (${this.shape.nBins} x ${this.shape.nFrames})`);
    }
  }

  get conditional(): boolean {
    return this.vae.architecture.kind === 'cvae';
  }

  info(): ModelInfo {
    const a = this.vae.architecture;
    return {
      label: this.label, kind: a.kind, parameters: this.vae.parameterCount, latentDim: a.latentDim,
      sampleRate: this.features.sampleRate, nBins: this.shape.nBins, nFrames: this.shape.nFrames,
      hop: this.features.hop, nFft: this.features.nFft, training: this.training, extras: this.extras,
    };
  }

  private classMean(digit: number): Float32Array | null {
    const m = this.extras?.classMeans?.[digit];
    return m ? Float32Array.from(m) : null;
  }

  private plane(z: Float32Array): [number, number] | null {
    return this.extras ? project(this.extras.pca, z) : null;
  }

  /** The spectrogram of a sound, as the model's pipeline computes it. */
  private render(audio: Float32Array, convergence: number): Rendered {
    const f = featuresFromSignal(this.dsp, audio, this.features.sampleRate, this.features);
    return { audio, sampleRate: this.features.sampleRate, spectrogram: f.features, nBins: this.shape.nBins, nFrames: this.shape.nFrames, convergence };
  }

  /** Decoder output for one latent: an integer digit, soft condition weights, or none. */
  private decodeOne(z: Float32Array, condition: number | number[] | null): Float32Array {
    if (!this.conditional) return this.vae.decode(z);
    if (typeof condition === 'number') return this.vae.decode(z, [condition]);
    const classes = this.vae.architecture.classes!;
    const weights = condition ?? new Array<number>(classes).fill(1 / classes);
    // A soft condition (a morph between digits): the decoder itself takes the one-hot as floats.
    return tf.tidy(() => {
      const out = this.vae.decoder.apply([tf.tensor2d(z, [1, z.length]), tf.tensor2d(weights, [1, classes])], { training: false }) as tf.Tensor;
      return out.dataSync() as Float32Array;
    });
  }

  private synth(z: Float32Array, condition: number | number[] | null, seed: number, nIter: number | undefined, t0: number): Generated {
    const t1 = now();
    const spec = this.decodeOne(z, condition);
    const t2 = now();
    const r = resynthesize(this.dsp, spec, this.features, { seed: seed >>> 0, nIter: nIter ?? this.features.griffinLim.nIter });
    const t3 = now();
    const timings: Timings = { decodeMs: t2 - t1, griffinLimMs: t3 - t2, totalMs: t3 - t0 };
    const rendered = this.render(r.audio, r.convergence.length ? r.convergence[r.convergence.length - 1]! : 0);
    return {
      ...rendered, z, digit: typeof condition === 'number' ? condition : null, mix: Array.isArray(condition) ? condition : null,
      seed, nIter: nIter ?? this.features.griffinLim.nIter, plane: this.plane(z), timings,
    };
  }

  /**
   * A new take of a digit (or of a random one): z from the digit's latent
   * Gaussian when the model has a fitted class prior (and the digit as the
   * condition for a cvae); otherwise z ~ N(0, I) with the condition (cvae),
   * or, for unconditional models, z around the digit's class mean (std 0.5,
   * the original's method).
   */
  generate(p: GenerateParams): Generated {
    const t0 = now();
    const digit = p.digit ?? (p.seed >>> 0) % 10;
    let z = p.z;
    if (z !== undefined && z.length !== this.vae.architecture.latentDim) throw new RangeError(`z must have ${this.vae.architecture.latentDim} values`);
    let zFrom: string | null = null;
    const fromClassPrior = z === undefined && this.vae.classPrior !== null;
    if (fromClassPrior) {
      z = this.vae.sampleLatents(1, p.seed, { digits: [digit] });
      zFrom = 'z from the digit\'s latent Gaussian';
    } else if (z === undefined) {
      const center = this.conditional ? null : this.classMean(digit);
      z = center ? this.vae.sampleLatents(1, p.seed, { around: { center, std: 0.5 } }) : this.vae.sampleLatents(1, p.seed);
      zFrom = center ? 'z ~ N(class mean, 0.5\u00b2 I)' : 'z ~ N(0, I)';
    }
    const g = this.synth(z, this.conditional ? digit : null, p.seed, p.nIter, t0);
    const saysDigit = this.conditional || fromClassPrior || this.classMean(digit) !== null;
    return { ...g, digit: saysDigit ? digit : null, zFrom };
  }

  /** The latent at a point of the explorer's plane, said as `digit` (cvae). */
  decodePoint(x: number, y: number, digit: number, seed: number, nIter?: number): Generated {
    if (!this.extras) throw new Error('this model has no explorer plane');
    const t0 = now();
    return this.synth(unproject(this.extras.pca, x, y), this.conditional ? digit : null, seed, nIter, t0);
  }

  /** One recording of the explorer, decoded from its posterior mean with its own digit. */
  decodeRecording(index: number, seed: number, nIter?: number): Generated {
    const p = this.extras?.points[index];
    if (!p) throw new RangeError(`no explorer point ${index}`);
    const t0 = now();
    return this.synth(Float32Array.from(p.z), this.conditional ? p.digit : null, seed, nIter, t0);
  }

  private endpoint(e: Endpoint): { z: Float32Array; weights: number[] | null } {
    const d = this.vae.architecture.latentDim;
    const oneHot = (k: number | null): number[] | null => (k === null ? null : Array.from({ length: 10 }, (_, i) => (i === k ? 1 : 0)));
    switch (e.kind) {
      case 'digit':
        return { z: this.classMean(e.digit) ?? new Float32Array(d), weights: oneHot(e.digit) };
      case 'point': {
        const p = this.extras?.points[e.index];
        if (!p) throw new RangeError(`no explorer point ${e.index}`);
        return { z: Float32Array.from(p.z), weights: oneHot(p.digit) };
      }
      case 'recording':
        if (!this.last) throw new Error('no recording yet: drop or record one first');
        return { z: this.last.mu, weights: oneHot(this.last.digit) };
    }
  }

  /** The point t of the straight line between two ends, in the latent and (cvae) in the condition. */
  morph(a: Endpoint, b: Endpoint, t: number, seed: number, nIter?: number): Generated {
    const t0 = now();
    const ea = this.endpoint(a), eb = this.endpoint(b);
    const z = new Float32Array(ea.z.length);
    for (let i = 0; i < z.length; i++) z[i] = (1 - t) * ea.z[i]! + t * eb.z[i]!;
    let condition: number[] | null = null;
    if (this.conditional) {
      const wa = ea.weights ?? new Array<number>(10).fill(0.1), wb = eb.weights ?? new Array<number>(10).fill(0.1);
      condition = wa.map((v, i) => (1 - t) * v + t * wb[i]!);
    }
    return this.synth(z, condition, seed, nIter, t0);
  }

  /**
   * A recording and its reconstruction (from the posterior mean). With a cvae
   * and no digit given, every condition is tried and the one that
   * reconstructs best is kept (the model's own guess of the digit).
   */
  reconstruct(p: ReconstructParams): Reconstruction {
    const t0 = now();
    let signal: Float32Array, rate: number;
    if (p.bytes) {
      const d = decodeClip(p.name, p.bytes, this.features);
      if (!d.ok) throw new Error(d.reason);
      signal = d.signal;
      rate = d.sampleRate;
    } else if (p.samples && p.sampleRate) {
      signal = p.samples;
      rate = p.sampleRate;
    } else {
      throw new Error('reconstruct: give a WAV file or samples with their rate');
    }
    const f = featuresFromSignal(this.dsp, signal, rate, this.features);
    const orig = pipelineSignal(this.dsp, signal, rate, this.features);
    const padded = new Float32Array(this.features.length);
    padded.set(orig.subarray(0, padded.length));
    let peak = 0;
    for (const v of padded) peak = Math.max(peak, Math.abs(v));
    if (peak > 0) for (let i = 0; i < padded.length; i++) padded[i] = (padded[i]! * this.features.peak) / peak;
    const original: Rendered = { audio: padded, sampleRate: this.features.sampleRate, spectrogram: f.features, nBins: this.shape.nBins, nFrames: this.shape.nFrames, convergence: 0 };

    const size = this.shape.size;
    const mse = (a: Float32Array, b: Float32Array): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
      return s / a.length;
    };
    const t1 = now();
    let digit: number | null = p.digit, digitErrors: number[] | null = null, mu: Float32Array, decoded: Float32Array;
    if (this.conditional && digit === null) {
      const x = new Float32Array(10 * size);
      for (let k = 0; k < 10; k++) x.set(f.features, k * size);
      const labels = Array.from({ length: 10 }, (_, k) => k);
      const enc = this.vae.encode(x, labels);
      const all = this.vae.decode(enc.mu, labels);
      digitErrors = labels.map((k) => mse(all.subarray(k * size, (k + 1) * size), f.features));
      digit = digitErrors.indexOf(Math.min(...digitErrors));
      const d = this.vae.architecture.latentDim;
      mu = enc.mu.slice(digit * d, (digit + 1) * d);
      decoded = all.slice(digit * size, (digit + 1) * size);
    } else {
      const labels = this.conditional ? [digit!] : undefined;
      mu = this.vae.encode(f.features, labels).mu;
      decoded = this.vae.decode(mu, labels);
    }
    const t2 = now();
    this.last = {
      name: p.name, original, features: f.features, range: f.range, decoded, mu, digit: this.conditional ? digit : null, digitErrors,
      mse: mse(decoded, f.features),
    };
    return this.resynth(p.nIter, p.seed, t0, t2 - t1);
  }

  /** The last reconstruction again, with another Griffin-Lim iteration count or seed. */
  resynth(nIter: number, seed: number, t0 = now(), decodeMs = 0): Reconstruction {
    const last = this.last;
    if (!last) throw new Error('no recording yet');
    const t1 = now();
    // At the recording's own dB range, so the level matches it (peak-normalised anyway).
    const r = resynthesize(this.dsp, last.decoded, this.features, { range: last.range, seed: seed >>> 0, nIter });
    const t2 = now();
    return {
      name: last.name, original: { ...last.original, audio: last.original.audio.slice(), spectrogram: last.original.spectrogram.slice() },
      reconstruction: this.render(r.audio, r.convergence.length ? r.convergence[r.convergence.length - 1]! : 0),
      digit: last.digit, digitErrors: last.digitErrors, mse: last.mse, plane: this.plane(last.mu),
      timings: { decodeMs, griffinLimMs: t2 - t1, totalMs: t2 - t0 },
    };
  }

  dispose(): void {
    this.vae.dispose();
  }
}
