import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend.js';
import { DigitClassifier, inceptionScore } from '../src/eval/classifier.js';
import { logSpectralDistance, meanSquaredError, spectralConvergence } from '../src/eval/metrics.js';

beforeAll(async () => {
  await initBackend();
});

describe('metrics', () => {
  it('inception score spans 1 (one class, or undecided) to K (confident, balanced)', () => {
    const confident = new Float32Array(40);
    for (let i = 0; i < 4; i++) confident[i * 10 + (i % 4)] = 1;
    expect(inceptionScore(confident)).toBeCloseTo(4, 6);
    const same = new Float32Array(40);
    for (let i = 0; i < 4; i++) same[i * 10 + 3] = 1;
    expect(inceptionScore(same)).toBeCloseTo(1, 6);
    expect(inceptionScore(new Float32Array(40).fill(0.1))).toBeCloseTo(1, 6);
  });
  it('log-spectral distance is 10 dB for a tenfold power everywhere, 0 for equal spectra', () => {
    const p = Float32Array.from({ length: 12 }, (_, i) => 1 + i);
    expect(logSpectralDistance(p, p, 3, 4)).toBe(0);
    expect(logSpectralDistance(p.map((v) => v * 10), p, 3, 4, 0)).toBeCloseTo(10, 5);
  });
  it('spectral convergence and MSE', () => {
    const t = Float32Array.from([3, 4]);
    expect(spectralConvergence(Float32Array.from([0, 0]), t)).toBe(1);
    expect(spectralConvergence(t, t)).toBe(0);
    expect(meanSquaredError(Float32Array.from([1, 2]), Float32Array.from([1, 4]))).toBe(2);
  });
});

describe('digit classifier', () => {
  it('learns separable classes and scores them', { timeout: 120_000 }, async () => {
    // Ten classes of 16 x 8 "spectrograms": a horizontal band at a class-dependent row.
    const n = 100, per = 128;
    const x = new Float32Array(n * per), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 10;
      for (let r = 0; r < 16; r++) for (let t = 0; t < 8; t++) {
        x[i * per + r * 8 + t] = Math.exp(-(((r - 1.5 * y[i]!) / 0.8) ** 2)) * (0.7 + 0.3 * Math.cos(i * 1.3 + t));
      }
    }
    const clf = DigitClassifier.create([16, 8, 1]);
    const before = tf.memory().numTensors;
    const acc = await clf.fit(x, y, { epochs: 12, batchSize: 25, learningRate: 2e-2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(acc.at(-1)!).toBeGreaterThan(0.9);
    expect(clf.accuracy(x, y)).toBeGreaterThan(0.9);
    expect(inceptionScore(clf.predictProba(x))).toBeGreaterThan(5);
    clf.dispose();
  });
});
