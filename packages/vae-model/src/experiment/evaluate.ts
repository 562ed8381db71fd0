import type { Dsp } from '@specvae/dsp-wasm';
import { DigitClassifier, inceptionScore } from '../eval/classifier.js';
import { logSpectralDistance, meanSquaredError } from '../eval/metrics.js';
import type { FeatureConfig } from '../features/config.js';
import { resynthesize } from '../features/pipeline.js';
import type { SpectrogramVae } from '../models/vae.js';

/** Held-out data: normalised features [n, bins, frames], their dB ranges, digits, and (for audio metrics) the recordings. */
export interface LabelledFeatures {
  x: Float32Array;
  labels: ArrayLike<number>;
  /** min, max dB of clip i at 2i, 2i + 1 (from the feature pipeline). */
  ranges?: Float32Array;
  /** pipelineSignal() of each recording, for the log-spectral distance against the real audio. */
  signals?: Float32Array[];
}

export interface EvaluateOptions {
  /** Clips resynthesised with Griffin-Lim for the audio metrics (default 50; they are slow-ish). */
  audioClips?: number;
  /** Generations per digit for the conditional accuracy (default 50). */
  perDigit?: number;
  /** Random prior samples for the inception score (default 500). */
  randomSamples?: number;
  /** Spread of the original's class-mean sampling (default 0.5). */
  classMeanStd?: number;
  seed?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface EvaluationReport {
  /** Mean squared error of reconstructions (posterior mean) in normalised feature space. */
  reconstructionMse: number;
  /** Griffin-Lim spectral convergence of the resynthesised reconstructions. */
  griffinLimConvergence: number | null;
  /** Log-spectral distance (dB) between each real recording and its resynthesised reconstruction. */
  logSpectralDistance: number | null;
  /** Classifier accuracy on the real test features (its ceiling). */
  testAccuracy: number;
  /** Classifier accuracy on reconstructions. */
  reconstructionAccuracy: number;
  /**
   * Classifier accuracy on digit-conditioned generations. Latents from the
   * model's fitted class prior when it has one ('class-prior'; a cvae also
   * gets the digit as its condition), otherwise N(0, I) with the condition
   * (cvae, 'condition') or N(class mean, std^2 I) (the original's method,
   * 'class-mean').
   */
  conditionalAccuracy: number;
  conditionalMethod: 'class-prior' | 'condition' | 'class-mean';
  /** conditionalAccuracy per digit 0-9 (each over its own generations). */
  conditionalAccuracyByDigit: number[];
  /** cvae with a class prior: the accuracy with N(0, I) latents and the condition, for comparison. */
  standardPriorConditionalAccuracy?: number;
  /** Inception-style score of random prior samples (1..10). */
  inceptionScore: number;
  /** gmvae: for each component, the digit the classifier hears most often in its samples and how often. */
  components?: { digit: number; share: number }[];
  clips: number;
}

/** Mean posterior mean per digit, [10, latentDim] row-major. */
export function latentClassMeans(vae: SpectrogramVae, data: LabelledFeatures, classes = 10): Float32Array {
  const d = vae.architecture.latentDim;
  const { mu, n } = vae.encode(data.x, vae.architecture.kind === 'cvae' ? data.labels : undefined);
  const sums = new Float64Array(classes * d), counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const k = data.labels[i]!;
    counts[k] = counts[k]! + 1;
    for (let j = 0; j < d; j++) sums[k * d + j] = sums[k * d + j]! + mu[i * d + j]!;
  }
  const out = new Float32Array(classes * d);
  for (let k = 0; k < classes; k++) for (let j = 0; j < d; j++) out[k * d + j] = counts[k]! > 0 ? sums[k * d + j]! / counts[k]! : 0;
  return out;
}

function reconstructAll(vae: SpectrogramVae, data: LabelledFeatures): Float32Array {
  const [h, w, c] = vae.architecture.inputShape;
  const per = h * w * c;
  const n = data.labels.length;
  const out = new Float32Array(n * per);
  for (let s = 0; s < n; s += 128) {
    const size = Math.min(128, n - s);
    const labels = vae.architecture.kind === 'cvae' ? Array.from({ length: size }, (_, i) => data.labels[s + i]!) : undefined;
    out.set(vae.reconstruct(data.x.subarray(s * per, (s + size) * per), labels), s * per);
  }
  return out;
}

/**
 * The package's evaluation on held-out data: reconstruction error, the audio
 * metrics of the resynthesis, and a digit classifier's verdict on
 * reconstructions and generations.
 */
export function evaluateModel(
  dsp: Dsp, vae: SpectrogramVae, features: FeatureConfig, test: LabelledFeatures, classifier: DigitClassifier,
  classMeansFrom: LabelledFeatures, opts: EvaluateOptions = {},
): EvaluationReport {
  const seed = opts.seed ?? 1;
  const [h, w, c] = vae.architecture.inputShape;
  const per = h * w * c;
  const n = test.labels.length;
  const progress = opts.onProgress ?? (() => {});

  progress('reconstruct', 0, n);
  const recon = reconstructAll(vae, test);
  progress('reconstruct', n, n);
  const report: EvaluationReport = {
    reconstructionMse: meanSquaredError(recon, test.x),
    griffinLimConvergence: null,
    logSpectralDistance: null,
    testAccuracy: classifier.accuracy(test.x, test.labels),
    reconstructionAccuracy: classifier.accuracy(recon, test.labels),
    conditionalAccuracy: 0,
    conditionalAccuracyByDigit: [],
    conditionalMethod: vae.classPrior ? 'class-prior' : vae.architecture.kind === 'cvae' ? 'condition' : 'class-mean',
    inceptionScore: 0,
    clips: n,
  };

  // Audio: Griffin-Lim on reconstructions at each clip's real level, against the real recording.
  if (test.ranges && test.signals) {
    const m = Math.min(opts.audioClips ?? 50, n);
    const geometry = { nFft: features.nFft, hop: features.hop, winLength: features.winLength };
    let sc = 0, lsd = 0;
    for (let i = 0; i < m; i++) {
      // Spread the clips over the set (every digit and speaker).
      const j = Math.floor((i * n) / m);
      const range: [number, number] = [test.ranges[2 * j]!, test.ranges[2 * j + 1]!];
      const r = resynthesize(dsp, recon.subarray(j * per, (j + 1) * per), features, { range, seed: seed + i });
      sc += r.convergence.length ? r.convergence[r.convergence.length - 1]! : 0;
      const orig = test.signals[j]!;
      let peak = 0;
      for (const v of orig) peak = Math.max(peak, Math.abs(v));
      const scaled = peak > 0 ? orig.map((v) => (v * features.peak) / peak) : orig;
      const P = dsp.stftPower(scaled, geometry);
      const Q = dsp.stftPower(r.audio, geometry);
      lsd += logSpectralDistance(P.data, Q.data, P.nBins, P.nFrames);
      progress('audio', i + 1, m);
    }
    report.griffinLimConvergence = sc / m;
    report.logSpectralDistance = lsd / m;
  }

  // Digit-conditioned generations.
  const perDigit = opts.perDigit ?? 50;
  const digits = Int32Array.from({ length: 10 * perDigit }, (_, i) => Math.floor(i / perDigit));
  let z: Float32Array;
  const d = vae.architecture.latentDim;
  const cvae = vae.architecture.kind === 'cvae';
  const decodeAll = (latents: Float32Array): Float32Array => {
    const out = new Float32Array(digits.length * per);
    for (let s = 0; s < digits.length; s += 100) {
      const size = Math.min(100, digits.length - s);
      out.set(vae.decode(latents.subarray(s * d, (s + size) * d), cvae ? Array.from(digits.subarray(s, s + size)) : undefined), s * per);
    }
    return out;
  };
  if (vae.classPrior) {
    z = vae.sampleLatents(digits.length, seed + 101, { digits });
    if (cvae) report.standardPriorConditionalAccuracy = classifier.accuracy(decodeAll(vae.sampleLatents(digits.length, seed + 101)), digits);
  } else if (cvae) {
    z = vae.sampleLatents(digits.length, seed + 101);
  } else {
    const means = latentClassMeans(vae, classMeansFrom);
    z = new Float32Array(digits.length * d);
    for (let k = 0; k < 10; k++) {
      z.set(vae.sampleLatents(perDigit, seed + 200 + k, { around: { center: means.subarray(k * d, (k + 1) * d), std: opts.classMeanStd ?? 0.5 } }), k * perDigit * d);
    }
  }
  const heard = classifier.predict(decodeAll(z));
  const right = new Array<number>(10).fill(0);
  heard.forEach((p, i) => { if (p === digits[i]) right[digits[i]!]!++; });
  report.conditionalAccuracy = right.reduce((a, b) => a + b, 0) / digits.length;
  report.conditionalAccuracyByDigit = right.map((r) => r / perDigit);
  progress('generate', 1, 1);

  // Random samples from the prior (for a cvae, with random digits).
  const nRandom = opts.randomSamples ?? 500;
  const zr = vae.sampleLatents(nRandom, seed + 303);
  const randomDigits = vae.architecture.kind === 'cvae' ? Array.from({ length: nRandom }, (_, i) => i % 10) : undefined;
  report.inceptionScore = inceptionScore(classifier.predictProba(vae.decode(zr, randomDigits)));

  if (vae.prior) {
    report.components = [];
    for (let k = 0; k < vae.prior.components; k++) {
      const pred = classifier.predict(vae.decode(vae.sampleLatents(50, seed + 400 + k, { component: k })));
      const counts = new Array<number>(10).fill(0);
      pred.forEach((p) => counts[p]!++);
      const digit = counts.indexOf(Math.max(...counts));
      report.components.push({ digit, share: counts[digit]! / pred.length });
    }
  }
  return report;
}
