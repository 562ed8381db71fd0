// evaluateModel on real FSDD recordings, with a small feature geometry so the
// tests stay quick (tfjs-wasm with our training kernels, as in production).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDsp, decodeWav, type Dsp } from '@specvae/dsp-wasm';
import {
  DigitClassifier, SpectrogramVae, initBackend, evaluateModel, featurePreset, featureShape, featuresFromFiles, latentClassMeans,
  pipelineSignal, trainVae, type Architecture, type FeatureConfig, type LabelledFeatures,
} from '../src/index.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const fsdd = process.env.FSDD_DIR ?? resolve(repo, '../shared/fsdd');

let dsp: Dsp;
let config: FeatureConfig;
let test: LabelledFeatures;
beforeAll(async () => {
  await initBackend();
  dsp = await createDsp();
  // 8 kHz, n_fft 64 (32 bins without Nyquist), hop 64, 1,984 samples -> 32 x 32.
  config = featurePreset('default', { nFft: 64, winLength: 64, hop: 64, length: 1984 });
  const names = readdirSync(fsdd).filter((f) => /^\d_(george|jackson)_[0-2]\.wav$/.test(f)).sort();
  const files = names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(fsdd, name))) }));
  const f = featuresFromFiles(dsp, files, config);
  const labels = Int32Array.from(f.files.map((x) => x.fsdd!.digit));
  const signals = f.files.map((x) => {
    const wav = decodeWav(files[x.position]!.bytes);
    return pipelineSignal(dsp, wav.channels[0]!, wav.sampleRate, config);
  });
  test = { x: f.features, labels, ranges: f.ranges, signals };
});

function arch(kind: Architecture['kind']): Architecture {
  const a: Architecture = {
    kind, inputShape: featureShape(config).inputShape, filters: [8, 16], strides: [[2, 2], [2, 2]], kernelSize: 3, latentDim: 4,
    batchNorm: true, reconWeight: 2000, klWeight: 1, seed: 2,
  };
  if (kind === 'gmvae') a.components = 3;
  if (kind === 'cvae') a.classes = 10;
  return a;
}

describe('evaluateModel', () => {
  it('class means are the averages of the posterior means', () => {
    const vae = new SpectrogramVae(arch('standard'));
    const means = latentClassMeans(vae, test);
    const { mu } = vae.encode(test.x);
    const d = 4;
    for (const k of [0, 7]) {
      const rows = Array.from(test.labels).flatMap((l, i) => (l === k ? [i] : []));
      for (let j = 0; j < d; j++) {
        const avg = rows.reduce((s, i) => s + mu[i * d + j]!, 0) / rows.length;
        expect(means[k * d + j]!).toBeCloseTo(avg, 5);
      }
    }
    vae.dispose();
  });

  it.each(['gmvae', 'cvae'] as const)('reports finite, repeatable numbers for a %s model', { timeout: 120_000 }, async (kind) => {
    const vae = new SpectrogramVae(arch(kind));
    await trainVae(vae, { x: test.x, n: test.labels.length, labels: test.labels }, { epochs: 1, batchSize: 20, learningRate: 3e-3 });
    const clf = DigitClassifier.create(featureShape(config).inputShape);
    await clf.fit(test.x, test.labels, { epochs: 1, batchSize: 30 });
    const before = tf.memory().numTensors;
    const opts = { audioClips: 4, perDigit: 3, randomSamples: 30 };
    const r = evaluateModel(dsp, vae, config, test, clf, test, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.clips).toBe(60);
    expect(r.reconstructionMse).toBeGreaterThan(0);
    expect(r.reconstructionMse).toBeLessThan(0.5);
    for (const a of [r.testAccuracy, r.reconstructionAccuracy, r.conditionalAccuracy]) expect(a).toBeGreaterThanOrEqual(0);
    // Per digit: ten accuracies whose mean is the overall one (equal counts per digit).
    expect(r.conditionalAccuracyByDigit).toHaveLength(10);
    for (const a of r.conditionalAccuracyByDigit) expect(Number.isInteger(Math.round(a * 3 * 1e9) / 1e9) && a >= 0 && a <= 1).toBe(true);
    expect(r.conditionalAccuracyByDigit.reduce((a, b) => a + b, 0) / 10).toBeCloseTo(r.conditionalAccuracy, 10);
    expect(r.inceptionScore).toBeGreaterThanOrEqual(1);
    expect(r.inceptionScore).toBeLessThanOrEqual(10);
    expect(r.griffinLimConvergence!).toBeGreaterThan(0);
    expect(r.griffinLimConvergence!).toBeLessThan(1);
    expect(r.logSpectralDistance!).toBeGreaterThan(0);
    // The trainer fitted the class prior (the data has labels): generations come from it.
    expect(r.conditionalMethod).toBe('class-prior');
    if (kind === 'cvae') expect(r.standardPriorConditionalAccuracy).toBeGreaterThanOrEqual(0);
    else expect(r.standardPriorConditionalAccuracy).toBeUndefined();
    if (kind === 'gmvae') expect(r.components!.length).toBe(3);
    expect(evaluateModel(dsp, vae, config, test, clf, test, opts)).toEqual(r);
    // Without one: N(0, I) with the condition (cvae), the original's class means otherwise.
    vae.classPrior = null;
    const plain = evaluateModel(dsp, vae, config, test, clf, test, opts);
    expect(plain.conditionalMethod).toBe(kind === 'cvae' ? 'condition' : 'class-mean');
    if (kind === 'cvae') expect(plain.conditionalAccuracy).toBe(r.standardPriorConditionalAccuracy);
    vae.dispose();
    clf.dispose();
  });
});
