// The package's evaluation (@specvae/vae-model's evaluateModel) on the FSDD
// test split: a digit classifier trained on the training split judges the
// real test clips (its ceiling), the reconstructions and the generations;
// Griffin-Lim resyntheses are compared with the real recordings.
import { join } from 'node:path';
import { decodeWav, type Dsp } from '@specvae/dsp-wasm';
import { DigitClassifier, evaluateModel, featureShape, pipelineSignal, resynthesize, type EvaluationReport } from '@specvae/vae-model';
import { pipelineSamples } from './audio.js';
import { audioDistance } from './reconstruction.js';
import type { CommandContext } from '../context.js';
import { InterruptedError } from '../errors.js';
import { formatDuration } from '../output.js';
import { createProgress } from '../progress.js';
import { loadSplit, type DataFlags, type SplitFeatures } from './dataset.js';
import { readInput } from './files.js';
import type { ModelRef } from './generation.js';

export interface EvaluateRequest {
  classifierEpochs: number;
  audioClips: number;
  perDigit: number;
  randomSamples: number;
  seed: number;
  flags: DataFlags;
}

export interface EvaluationResult {
  model: string;
  report: EvaluationReport;
  /** Log-spectral distance (dB) of the same resyntheses over each recording's own length (no padding). */
  logSpectralDistanceOwnLength: number | null;
  /** Seconds of the model's window (features.length / sampleRate). */
  windowSeconds: number;
  classifier: { epochs: number; trainAccuracy: number | null; trainClips: number };
  testClips: number;
  seconds: number;
}

/** The evaluation's digit classifier, trained on the training split (`run` trains it first, to know its cost). */
export interface TrainedClassifier {
  classifier: DigitClassifier;
  epochs: number;
  trainAccuracy: number | null;
  trainClips: number;
  seconds: number;
}

export async function trainClassifier(
  ctx: CommandContext, dsp: Dsp, features: ModelRef['features'], dir: string, req: Pick<EvaluateRequest, 'classifierEpochs' | 'seed' | 'flags'>,
  loaded?: SplitFeatures,
): Promise<TrainedClassifier> {
  const t0 = performance.now();
  const train = loaded ?? await loadSplit(ctx, dsp, dir, features, 'train', req.flags);
  const classifier = DigitClassifier.create(featureShape(features).inputShape, 10, req.seed);
  let trainAccuracy: number | null = null;
  const fitProgress = createProgress(ctx.out, { label: 'classifier', total: req.classifierEpochs, itemName: 'epoch' });
  try {
    const history = await classifier.fit(train.x, train.items.map((it) => it.digit), {
      epochs: req.classifierEpochs, seed: req.seed,
      onEpochEnd: (epoch, acc) => {
        fitProgress.update(epoch, { accuracy: acc });
        if (ctx.signal.aborted) throw new InterruptedError();
      },
    });
    trainAccuracy = history[history.length - 1] ?? null;
  } catch (e) {
    classifier.dispose();
    throw e;
  } finally {
    fitProgress.stop();
  }
  return { classifier, epochs: req.classifierEpochs, trainAccuracy, trainClips: train.n, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Evaluates on the test split with a classifier trained here, or the given
 * one (which is disposed of either way).
 */
export async function evaluate(
  ctx: CommandContext, dsp: Dsp, model: ModelRef, dir: string, req: EvaluateRequest, trained?: TrainedClassifier,
): Promise<EvaluationResult> {
  const t0 = performance.now();
  const { vae, features } = model;
  const fitted = trained ?? await trainClassifier(ctx, dsp, features, dir, req);
  const { classifier, trainAccuracy } = fitted;
  let train: SplitFeatures;
  let test: SplitFeatures;
  try {
    train = await loadSplit(ctx, dsp, dir, features, 'train', req.flags);
    test = await loadSplit(ctx, dsp, dir, features, 'test', req.flags);
  } catch (e) {
    classifier.dispose();
    throw e;
  }
  // The recordings as the pipeline sees them, zero-padded to the model's window (evaluateModel compares
  // them with full-window resyntheses), and each recording's own length.
  const signals: Float32Array[] = [];
  const lengths: number[] = [];
  for (const it of test.items) {
    const w = decodeWav(await readInput({ name: it.file, path: join(dir, it.file) }), { mono: true, name: it.file });
    const s = pipelineSignal(dsp, w.channels[0]!, w.sampleRate, features);
    const padded = new Float32Array(features.length);
    padded.set(s.subarray(0, features.length));
    signals.push(padded);
    lengths.push(Math.max(1, pipelineSamples(features, w.length, w.sampleRate)));
  }
  const trainLabels = train.items.map((it) => it.digit);
  const testLabels = test.items.map((it) => it.digit);

  const t1 = performance.now();
  ctx.out.note(`evaluating ${model.description} on ${test.n} test clips`);
  let report: EvaluationReport;
  try {
    report = evaluateModel(dsp, vae, features, { x: test.x, labels: testLabels, ranges: test.ranges, signals }, classifier, { x: train.x, labels: trainLabels }, {
      audioClips: req.audioClips, perDigit: req.perDigit, randomSamples: req.randomSamples, seed: req.seed,
    });
  } finally {
    classifier.dispose();
  }
  // The same resyntheses as evaluateModel's audio metrics, compared over each recording's own length
  // (the full window also counts the reconstruction's noise floor in the zero padding).
  const m = Math.min(req.audioClips, test.n);
  const per = test.size;
  let lsdOwn = 0;
  for (let i = 0; i < m; i++) {
    const j = Math.floor((i * test.n) / m);
    const labels = vae.architecture.kind === 'cvae' ? [testLabels[j]!] : undefined;
    const recon = vae.reconstruct(test.x.subarray(j * per, (j + 1) * per), labels);
    const range: [number, number] = [test.ranges[2 * j]!, test.ranges[2 * j + 1]!];
    const audio = resynthesize(dsp, recon, features, { range, seed: req.seed + i }).audio;
    lsdOwn += audioDistance(dsp, { nFft: features.nFft, hop: features.hop, winLength: features.winLength }, signals[j]!.subarray(0, lengths[j]!), audio.subarray(0, lengths[j]!), features.peak);
  }
  const logSpectralDistanceOwnLength = m > 0 ? lsdOwn / m : null;
  ctx.out.debug(`classifier ${formatDuration(trained ? fitted.seconds : (t1 - t0) / 1000)}, evaluation ${formatDuration((performance.now() - t1) / 1000)}`);
  return {
    model: model.description, report, logSpectralDistanceOwnLength, windowSeconds: features.length / features.sampleRate, classifier: { epochs: fitted.epochs, trainAccuracy, trainClips: fitted.trainClips },
    testClips: test.n, seconds: (performance.now() - t0) / 1000,
  };
}

const CONDITIONAL_METHOD = { 'class-prior': 'class prior', condition: 'condition', 'class-mean': 'class means' } as const;

/** The evaluation as a two-column table. */
export function evaluationTable(r: EvaluationResult): string[] {
  const e = r.report;
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const rows: [string, string][] = [
    ['reconstruction MSE (normalised spectrogram)', e.reconstructionMse.toFixed(5)],
    ['log-spectral distance, recording vs resynthesis', r.logSpectralDistanceOwnLength === null ? 'n/a' : `${r.logSpectralDistanceOwnLength.toFixed(2)} dB`],
    [`  the same over the zero-padded ${r.windowSeconds.toFixed(2)} s window`, e.logSpectralDistance === null ? 'n/a' : `${e.logSpectralDistance.toFixed(2)} dB`],
    ['Griffin-Lim spectral convergence', e.griffinLimConvergence === null ? 'n/a' : e.griffinLimConvergence.toFixed(4)],
    ['classifier accuracy, real test clips (ceiling)', pct(e.testAccuracy)],
    ['classifier accuracy, reconstructions', pct(e.reconstructionAccuracy)],
    [`classifier accuracy, generated digits (${CONDITIONAL_METHOD[e.conditionalMethod]})`, pct(e.conditionalAccuracy)],
    ...(e.standardPriorConditionalAccuracy !== undefined
      ? [['  the same with N(0, I) latents and the condition', pct(e.standardPriorConditionalAccuracy)] as [string, string]]
      : []),
    ...(e.conditionalAccuracyByDigit?.length === 10
      ? [['  generated digits 0-9 recognised', e.conditionalAccuracyByDigit.map((v) => (100 * v).toFixed(0)).join(' ') + ' %'] as [string, string]]
      : []),
    ['inception score of random samples (1-10)', e.inceptionScore.toFixed(2)],
  ];
  if (e.components) e.components.forEach((c, k) => rows.push([`mixture component ${k}: sounds like`, `${c.digit} (${pct(c.share)})`]));
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `evaluation of ${r.model} on ${r.testClips} test clips (classifier: ${r.classifier.epochs} epochs on ${r.classifier.trainClips} training clips)`,
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
  ];
}
