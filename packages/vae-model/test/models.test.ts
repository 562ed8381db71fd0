// The VAE family, its training loop and its files, on tfjs's cpu backend with
// tiny networks (fast and deterministic).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLASS_WEIGHT, originalArchitecture, type Architecture, type ModelKind } from '../src/models/architecture.js';
import { LOG_VARIANCE_CAP, LOG_VARIANCE_FLOOR, SpectrogramVae } from '../src/models/vae.js';
import { trainVae, TrainingDivergedError, epochOrder } from '../src/train/trainer.js';
import { MemoryCheckpointStore } from '../src/train/checkpoint.js';
import { FolderCheckpointStore } from '../src/train/checkpoint-node.js';
import { fromBundle, toBundle, ModelFormatError } from '../src/io/bundle.js';
import { loadModelDir, saveModelDir } from '../src/io/node.js';

let tmp = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'vae-model-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tiny(kind: ModelKind = 'standard', seed = 1): Architecture {
  return {
    kind, inputShape: [16, 8, 1], filters: [4, 8], strides: [[2, 2], [2, 1]], kernelSize: 3, latentDim: 3,
    batchNorm: true, reconWeight: 1000, klWeight: 1, seed,
    ...(kind === 'gmvae' ? { components: 3 } : {}), ...(kind === 'cvae' ? { classes: 3 } : {}),
  };
}

/** n smooth [16 x 8] images in [0, 1], three classes (a bump at a class-dependent height). */
function toyData(n: number): { x: Float32Array; n: number; labels: Int32Array } {
  const x = new Float32Array(n * 128);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let r = 0; r < 16; r++) for (let t = 0; t < 8; t++) {
      x[i * 128 + r * 8 + t] = Math.exp(-(((r - 3 - 5 * c) / 2) ** 2)) * (0.6 + 0.4 * Math.sin(t + i));
    }
  }
  return { x, n, labels };
}

function leakFree<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('architecture', () => {
  it('the original preset has the 3.56 M parameters of the notes (counted by hand)', () => {
    const vae = new SpectrogramVae(originalArchitecture());
    const conv = (k: number, i: number, o: number) => k * k * i * o + o;
    const f = [512, 256, 128, 64, 32];
    let enc = conv(3, 1, 512);
    for (let i = 1; i < 5; i++) enc += conv(3, f[i - 1]!, f[i]!);
    enc += 4 * f.reduce((a, b) => a + b) + 2 * (8 * 4 * 32 * 128 + 128);
    let dec = 128 * 1024 + 1024;
    const rf = [...f].reverse();
    dec += conv(3, 32, rf[0]!);
    for (let i = 1; i < 5; i++) dec += conv(3, rf[i - 1]!, rf[i]!);
    dec += 4 * f.reduce((a, b) => a + b) + conv(3, 512, 1);
    expect(vae.parameterCount).toBe(enc + dec);
    expect(vae.parameterCount).toBe(3_556_289); // 'about 3.56 M'
    expect(vae.decoder.outputs[0]!.shape).toEqual([null, 256, 64, 1]);
    vae.dispose();
  });

  it('explains an input that the strides cannot mirror', () => {
    expect(() => new SpectrogramVae({ ...tiny(), inputShape: [15, 8, 1] })).toThrow(/does not divide evenly/);
    expect(() => new SpectrogramVae({ ...tiny(), filters: [4] })).toThrow(/same, non-zero, length/);
  });
});

describe.each(['standard', 'gmvae', 'cvae'] as const)('%s model', (kind) => {
  it('encodes, decodes, samples and interpolates without leaking tensors', () => {
    const vae = new SpectrogramVae(tiny(kind));
    const d = toyData(6);
    const labels = kind === 'cvae' ? d.labels : undefined;
    const { mu, logvar, n } = leakFree(() => vae.encode(d.x, labels));
    expect([n, mu.length, logvar.length]).toEqual([6, 18, 18]);
    const rec = leakFree(() => vae.reconstruct(d.x, labels));
    expect(rec.length).toBe(6 * 128);
    expect(rec.every((v) => v > 0 && v < 1)).toBe(true);
    // Deterministic: reconstructions use the posterior mean.
    expect(leakFree(() => vae.reconstruct(d.x, labels))).toEqual(rec);
    const z = leakFree(() => vae.sampleLatents(4, 7, kind === 'gmvae' ? { component: 2 } : {}));
    expect(z.length).toBe(12);
    expect(leakFree(() => vae.sampleLatents(4, 7, kind === 'gmvae' ? { component: 2 } : {}))).toEqual(z);
    const line = SpectrogramVae.interpolate(z.subarray(0, 3), z.subarray(3, 6), 5);
    expect(Array.from(line.subarray(12, 15))).toEqual(Array.from(z.subarray(3, 6)));
    leakFree(() => vae.decode(line, kind === 'cvae' ? [0, 1, 2, 0, 1] : undefined));
    if (kind === 'cvae') expect(() => vae.decode(z)).toThrow(/one digit label per item/);
    vae.dispose();
  });
});

describe('gmvae with labelled components', () => {
  const labelled = (): Architecture => ({ ...tiny('gmvae'), labelledComponents: true });

  it('KL is log K plus the closed-form KL of each posterior to its own digit\'s component', () => {
    const vae = new SpectrogramVae(labelled());
    const d = toyData(6);
    const { mu, logvar } = vae.encode(d.x);
    const { means, logScales } = vae.prior!.toJSON();
    // Independent: KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2 per dimension.
    let expected = 0;
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 3; j++) {
        const s1 = Math.exp(logvar[i * 3 + j]! / 2);
        const m2 = means[d.labels[i]!]![j]!;
        const s2 = Math.exp(logScales[d.labels[i]!]![j]!);
        expected += Math.log(s2 / s1) + (s1 * s1 + (mu[i * 3 + j]! - m2) ** 2) / (2 * s2 * s2) - 0.5;
      }
    }
    expected = expected / 6 + Math.log(3);
    // The noise does not enter a closed-form KL.
    const kl = leakFree(() => tf.tidy(() => vae.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), d.labels, 5, 1, false).kl.arraySync()));
    expect(kl).toBeCloseTo(expected, 3);
    expect(() => tf.tidy(() => vae.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), undefined, 5).kl)).toThrow(/labelled components needs one digit label per item/);
    expect(() => tf.tidy(() => vae.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), [0, 1, 2, 0, 1, 3], 5).kl)).toThrow(/label 3 is not a class in \[0, 3\)/);
    vae.dispose();
  });

  it('classWeight adds w * -log p(own digit | z) under the mixture to the loss, and nothing else', () => {
    const w = 2.5;
    const plain = new SpectrogramVae(labelled());
    const weighted = new SpectrogramVae({ ...labelled(), classWeight: w });
    const d = toyData(6);
    const eps = Float32Array.from({ length: 18 }, (_, i) => Math.sin(i + 1));
    const terms = (vae: SpectrogramVae) => leakFree(() => tf.tidy(() => {
      const t = vae.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), d.labels, tf.tensor2d(eps, [6, 3]), 1, false);
      return [t.loss.arraySync(), t.recon.arraySync(), t.kl.arraySync()];
    }));
    const [l0, r0, k0] = terms(plain);
    const [l1, r1, k1] = terms(weighted);
    expect(r1).toBeCloseTo(r0!, 4);
    expect(k1).toBeCloseTo(k0!, 5);
    // Independent: log N(z; m_k, s_k^2) up to a constant, normalised over k.
    const { mu, logvar } = weighted.encode(d.x);
    const { means, logScales } = weighted.prior!.toJSON();
    let nll = 0;
    for (let i = 0; i < 6; i++) {
      const z = [0, 1, 2].map((j) => mu[i * 3 + j]! + Math.exp(logvar[i * 3 + j]! / 2) * eps[i * 3 + j]!);
      const logComp = means.map((m, k) => -0.5 * z.reduce((s, v, j) => s + ((v - m[j]!) / Math.exp(logScales[k]![j]!)) ** 2 + 2 * logScales[k]![j]!, 0));
      const top = Math.max(...logComp);
      const logNorm = top + Math.log(logComp.reduce((s, v) => s + Math.exp(v - top), 0));
      nll -= logComp[d.labels[i]!]! - logNorm;
    }
    expect(l1! - l0!).toBeCloseTo(w * nll / 6, 3);
    expect(nll).toBeGreaterThan(0);
    // Reported unweighted as classNll; absent without the term.
    const reported = leakFree(() => tf.tidy(() => {
      const t = weighted.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), d.labels, tf.tensor2d(eps, [6, 3]), 1, false);
      return [t.classNll?.arraySync(), plain.lossTerms(tf.tensor4d(d.x, [6, 16, 8, 1]), d.labels, tf.tensor2d(eps, [6, 3]), 1, false).classNll];
    }));
    expect(reported[0]).toBeCloseTo(nll / 6, 3);
    expect(reported[1]).toBeUndefined();
    expect(() => new SpectrogramVae({ ...tiny('gmvae'), classWeight: 1 })).toThrow(/classWeight needs a gmvae with labelled components/);
    expect(() => new SpectrogramVae({ ...labelled(), classWeight: -1 })).toThrow(/classWeight must be a number >= 0/);
    plain.dispose();
    weighted.dispose();
  });

  it('matchComponents sets each component to the ELBO\'s optimum for its items (the KL\'s gradient vanishes there)', () => {
    const vae = new SpectrogramVae(labelled());
    const d = toyData(12);
    const { mu, logvar } = vae.encode(d.x);
    const prior = vae.prior!;
    const klSum = () => tf.tidy(() => tf.sum(prior.klToComponents(tf.tensor2d(mu, [12, 3]), tf.tensor2d(logvar, [12, 3]), tf.tensor1d(d.labels, 'int32'))) as tf.Scalar);
    const before = klSum().arraySync();
    expect(prior.matchComponents(mu, logvar, d.labels)).toEqual([4, 4, 4]);
    expect(klSum().arraySync()).toBeLessThan(before);
    const g = leakFree(() => tf.tidy(() => {
      const { grads } = tf.variableGrads(klSum, prior.variables);
      return prior.variables.map((v) => Math.max(...Array.from(grads[v.name]!.dataSync()).map(Math.abs)));
    }));
    for (const v of g) expect(v).toBeLessThan(1e-3);
    // The component mean is the items' mean posterior mean.
    const m0 = [0, 1, 2].map((j) => [0, 3, 6, 9].reduce((a, i) => a + mu[i * 3 + j]!, 0) / 4);
    (prior.means.arraySync() as number[][])[0]!.forEach((v, j) => expect(v).toBeCloseTo(m0[j]!, 5));
    expect(() => prior.matchComponents(mu, logvar, [...d.labels.slice(0, 11), 5])).toThrow(/matchComponents: label 5 is not a class in \[0, 3\)/);
    vae.dispose();
  });

  it('training pulls each digit\'s posteriors to its own component, and needs the labels', { timeout: 60_000 }, async () => {
    const vae = new SpectrogramVae(labelled());
    const d = toyData(24);
    await expect(trainVae(vae, { x: d.x, n: d.n }, { epochs: 1, batchSize: 8 })).rejects.toThrow(/labelled components needs one label per example/);
    await trainVae(vae, d, { epochs: 30, batchSize: 8, learningRate: 1e-2 });
    const { mu } = vae.encode(d.x);
    const { means } = vae.prior!.toJSON();
    let nearestOwn = 0;
    for (let i = 0; i < 24; i++) {
      const dist = means.map((m) => m.reduce((s, v, j) => s + (v - mu[i * 3 + j]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === d.labels[i]) nearestOwn++;
    }
    expect(nearestOwn).toBe(24);
    vae.dispose();
  });

  it('is a gmvae-only option, and the presets\' gmvae uses it', async () => {
    expect(() => new SpectrogramVae({ ...tiny('cvae'), labelledComponents: true })).toThrow(/labelledComponents is for a gmvae only/);
    expect(originalArchitecture('gmvae').labelledComponents).toBe(true);
    expect(originalArchitecture('gmvae').classWeight).toBe(DEFAULT_CLASS_WEIGHT);
    expect(originalArchitecture('standard').labelledComponents).toBeUndefined();
  });
});

describe('encode', () => {
  it('takes any number of spectrograms (in encoder batches) and gives what separate calls give', () => {
    const vae = new SpectrogramVae(tiny('cvae'));
    const d = toyData(300);
    const all = leakFree(() => vae.encode(d.x, d.labels));
    expect(all.n).toBe(300);
    const per = 128;
    const tail = vae.encode(d.x.subarray(200 * per), d.labels.subarray(200));
    expect(Array.from(all.mu.subarray(200 * 3))).toEqual(Array.from(tail.mu).map((v) => expect.closeTo(v, 5)));
    expect(() => vae.encode(d.x, d.labels.subarray(1))).toThrow(/one digit label per item \(300\), got 299/);
    vae.dispose();
  });
});

describe('posterior log-variance caps', () => {
  it('are the identity between the caps and never let the log-variance out (v - softplus(v - cap) + softplus(floor - v))', () => {
    const vae = new SpectrogramVae(tiny());
    const layer = vae.encoder.getLayer('z_log_var');
    const [k, b] = layer.getWeights();
    const d = toyData(2);
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    for (const [bias, expected] of [
      [-6, -6 - softplus(-6 - LOG_VARIANCE_CAP) + softplus(LOG_VARIANCE_FLOOR + 6)], [50, LOG_VARIANCE_CAP], [-80, LOG_VARIANCE_FLOOR],
    ] as const) {
      layer.setWeights([tf.zerosLike(k!), tf.fill(b!.shape, bias)]);
      const { logvar } = leakFree(() => vae.encode(d.x));
      for (const v of logvar) expect(v).toBeCloseTo(expected, 4);
    }
    vae.dispose();
  });

  it('pass the gradient straight through, so the KL term pulls an overshot log-variance back', () => {
    const vae = new SpectrogramVae(tiny());
    const layer = vae.encoder.getLayer('z_log_var');
    const [k, b] = layer.getWeights();
    const d = toyData(2);
    const bias = vae.trainableVariables.find((v) => v.name.includes('z_log_var') && v.shape.length === 1)!;
    for (const [raw, at] of [[50, LOG_VARIANCE_CAP], [-80, LOG_VARIANCE_FLOOR]]) {
      layer.setWeights([tf.zerosLike(k!), tf.fill(b!.shape, raw!)]);
      const g = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => vae.lossTerms(tf.tensor4d(d.x, [2, 16, 8, 1]), undefined, 3).kl, [bias]);
        return Array.from(grads[bias.name]!.dataSync());
      });
      // d KL / d logvar = (exp(logvar) - 1) / 2 per dimension at the cap, averaged over the batch.
      for (const v of g) expect(v).toBeCloseTo((Math.exp(at!) - 1) / 2, 3);
    }
    vae.dispose();
  });
});

describe('BatchNorm recalibration', () => {
  it('sets the moving statistics to the batch statistics of the data, and restores the momentum', async () => {
    const tfl = await import('@tensorflow/tfjs-layers');
    const vae = new SpectrogramVae(tiny());
    const d = toyData(12);
    const bn = vae.encoder.getLayer('enc0_bn') as unknown as { momentum: number; getWeights(): tf.Tensor[] };
    const probe = tfl.model({ inputs: vae.encoder.inputs, outputs: vae.encoder.getLayer('enc0_relu').output as never });
    const act = tf.tidy(() => probe.predict(tf.tensor4d(d.x, [12, 16, 8, 1])) as tf.Tensor4D);
    const { mean, variance } = tf.moments(act, [0, 1, 2]);
    leakFree(() => vae.recalibrateBatchNorm(d.x, undefined, { batchSize: 12 }));
    const [, , movingMean, movingVar] = bn.getWeights();
    const close = (a: tf.Tensor, b: tf.Tensor) => Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(b.dataSync()[i]!, 5));
    close(movingMean!, mean);
    close(movingVar!, variance);
    expect(bn.momentum).toBe(0.99);
    // Two batches: the mean of the two batch statistics.
    leakFree(() => vae.recalibrateBatchNorm(d.x, undefined, { batchSize: 6 }));
    const halves = [0, 6].map((s) => tf.moments(tf.slice(act, [s, 0, 0, 0], [6, -1, -1, -1]), [0, 1, 2]).mean);
    close(bn.getWeights()[2]!, tf.div(tf.add(halves[0]!, halves[1]!), 2));
    vae.dispose();
  });
});

describe('training', () => {
  const data = toyData(24);
  const opts = { epochs: 4, batchSize: 8, learningRate: 3e-3, seed: 3 };

  it('lowers the loss, and the same seed repeats the run exactly', { timeout: 60_000 }, async () => {
    const a = new SpectrogramVae(tiny('standard', 5));
    const ra = await trainVae(a, data, opts);
    const b = new SpectrogramVae(tiny('standard', 5));
    const rb = await trainVae(b, data, opts);
    expect(ra.history.map((h) => h.loss)).toEqual(rb.history.map((h) => h.loss));
    expect(ra.history[3]!.loss).toBeLessThan(ra.history[0]!.loss);
    expect(ra.stoppedBy).toBe('epochs');
    a.dispose();
    b.dispose();
  });

  it('adamBeta2 reaches the optimiser (a different path from the default) and is checked', { timeout: 60_000 }, async () => {
    const a = new SpectrogramVae(tiny('standard', 5));
    const b = new SpectrogramVae(tiny('standard', 5));
    const ra = await trainVae(a, data, { ...opts, epochs: 2 });
    const rb = await trainVae(b, data, { ...opts, epochs: 2, adamBeta2: 0.9 });
    expect(Number.isFinite(rb.history[1]!.loss)).toBe(true);
    expect(rb.history[1]!.loss).not.toBe(ra.history[1]!.loss);
    await expect(trainVae(a, data, { ...opts, adamBeta2: 1 })).rejects.toThrow(/adamBeta2 must be in \(0, 1\), got 1/);
    a.dispose();
    b.dispose();
  });

  it('the cosine schedule decays the rate over the whole run, also across a resume', { timeout: 60_000 }, async () => {
    const cosine = { ...opts, learningRateSchedule: 'cosine' as const, finalLearningRateFraction: 0.1 };
    const rates: number[] = [];
    const straight = new SpectrogramVae(tiny('standard', 4));
    const rs = await trainVae(straight, data, { ...cosine, onBatchEnd: (e) => { rates.push(e.learningRate); } });
    // 4 epochs x 3 batches; step s uses lr * (0.1 + 0.9 * (1 + cos(pi s / 12)) / 2).
    expect(rates).toHaveLength(12);
    rates.forEach((r, s) => expect(r).toBeCloseTo(3e-3 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / 12))), 12));
    const store = new MemoryCheckpointStore();
    const first = new SpectrogramVae(tiny('standard', 4));
    const resumedRates: number[] = [];
    // Interrupted after epoch 2 of 4: the resumed run continues on the same curve.
    const stop = new AbortController();
    await trainVae(first, data, { ...cosine, checkpoint: store, signal: stop.signal, onEpochEnd: (m) => { if (m.epoch === 2) stop.abort(); } });
    first.dispose();
    const ckpt = (await store.load())!;
    expect(ckpt.state.epoch).toBe(2);
    const resumed = await fromBundle(ckpt.bundle);
    const rr = await trainVae(resumed, data, { ...cosine, resumeFrom: ckpt, onBatchEnd: (e) => { resumedRates.push(e.learningRate); } });
    expect(resumedRates).toEqual(rates.slice(6));
    expect(rr.history.map((h) => h.loss)).toEqual(rs.history.map((h) => h.loss));
    await expect(trainVae(straight, data, { ...opts, learningRateSchedule: 'linear' as never })).rejects.toThrow(/learningRateSchedule/);
    straight.dispose();
    resumed.dispose();
  });

  it('a time budget ends the run before an epoch that would not fit and runs the cosine schedule by time', { timeout: 60_000 }, async () => {
    // A fake clock: every step takes 10 s, so an epoch (3 batches) takes 30 s.
    let clock = 0;
    const timed = { ...opts, epochs: 6, learningRateSchedule: 'cosine' as const, finalLearningRateFraction: 0.1, timeBudgetSeconds: 100, now: () => clock };
    const rates: number[] = [];
    const vae = new SpectrogramVae(tiny('standard', 4));
    const r = await trainVae(vae, data, { ...timed, onBatchEnd: (e) => { rates.push(e.learningRate); clock += 10_000; } });
    // After epoch 3 (90 s) another 30 s epoch (+5 %) would end past 100 s.
    expect(r.stoppedBy).toBe('time');
    expect(r.history).toHaveLength(3);
    // Epoch times come from the same clock.
    expect(r.history.map((h) => h.seconds)).toEqual([30, 30, 30]);
    // Step s starts at 10 s: position max(s / 18, 10 s / 100) = s / 10, ahead of the steps' s / 18.
    expect(rates).toHaveLength(9);
    rates.forEach((rate, s) => expect(rate).toBeCloseTo(3e-3 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / 10))), 12));
    // A constant schedule stays constant; the budget still ends the run.
    clock = 0;
    const constant: number[] = [];
    const rc = await trainVae(vae, data, { ...timed, learningRateSchedule: 'constant', onBatchEnd: (e) => { constant.push(e.learningRate); clock += 10_000; } });
    expect(rc.stoppedBy).toBe('time');
    expect(new Set(constant)).toEqual(new Set([3e-3]));
    await expect(trainVae(vae, data, { ...timed, timeBudgetSeconds: 0 })).rejects.toThrow(/timeBudgetSeconds must be > 0, got 0/);
    vae.dispose();
  });

  it('the spike guard leaves ordinary steps alone and holds each variable\'s gradient to a multiple of its running mean norm', { timeout: 60_000 }, async () => {
    const run = async (spikeClip: number | undefined, steps = Infinity) => {
      const vae = new SpectrogramVae(tiny('standard', 6));
      const stop = new AbortController();
      const tensors = tf.memory().numTensors;
      const r = await trainVae(vae, toyData(24), {
        ...opts, epochs: 1, ...(spikeClip ? { spikeClip } : {}), signal: stop.signal, onBatchEnd: (e) => { if (e.step >= steps) stop.abort(); },
      });
      // The guard's norms and scaled gradients are all freed.
      expect(tf.memory().numTensors).toBe(tensors);
      const count = vae.trainableVariables.length;
      vae.dispose();
      return { ...r, count };
    };
    const plain = await run(undefined);
    const never = await run(1e9);
    expect(never.history[0]!.loss).toBe(plain.history[0]!.loss);
    expect(never.history[0]!.clippedSteps).toBe(0);
    expect(plain.history[0]!.clippedSteps).toBeUndefined();
    // One step: each variable's running mean is its gradient's norm in that step.
    const one = await run(1e9, 1);
    const first = one.state.gradNormMeans!;
    expect(first).toHaveLength(one.count);
    for (const m of first) expect(m).toBeGreaterThan(0);
    // Different variables have different norms: one global mean would not do.
    expect(Math.max(...first) / Math.min(...first)).toBeGreaterThan(10);
    // At 0.5x every later step cuts every variable to half its own mean, so each mean shrinks by at least 1 % per step.
    const tight = await run(0.5);
    tight.state.gradNormMeans!.forEach((m, i) => expect(m).toBeLessThanOrEqual(first[i]! * 0.99 ** 2 * (1 + 1e-6)));
    expect(tight.history[0]!.loss).not.toBe(plain.history[0]!.loss);
    // Every step but the first (which only starts the means) was cut.
    expect(tight.history[0]!.clippedSteps).toBe(2);
  });

  it('micro-batches with summed gradients follow the same path as whole batches', { timeout: 60_000 }, async () => {
    // Without BatchNorm the per-example loss is independent of the batch split.
    const arch = { ...tiny('standard', 9), batchNorm: false };
    const whole = new SpectrogramVae(arch);
    const split = new SpectrogramVae(arch);
    const rw = await trainVae(whole, data, { ...opts, epochs: 2 });
    const rs = await trainVae(split, data, { ...opts, epochs: 2, microBatch: 3 });
    rw.history.forEach((h, i) => expect(rs.history[i]!.loss).toBeCloseTo(h.loss, 3));
    whole.dispose();
    split.dispose();
  });

  it.each([['', {}], [' (with a weight average)', { weightAverage: 0.9 }]] as const)(
    'a run resumed from a checkpoint ends where an uninterrupted run ends%s', { timeout: 60_000 }, async (_, extra) => {
      const straight = new SpectrogramVae(tiny('standard', 11));
      const rs = await trainVae(straight, data, { ...opts, ...extra });
      const store = new MemoryCheckpointStore();
      const first = new SpectrogramVae(tiny('standard', 11));
      await trainVae(first, data, { ...opts, ...extra, epochs: 2, checkpoint: store });
      first.dispose();
      const ckpt = (await store.load())!;
      expect(ckpt.state.epoch).toBe(2);
      const resumed = await fromBundle(ckpt.bundle);
      const rr = await trainVae(resumed, data, { ...opts, ...extra, checkpoint: store, resumeFrom: ckpt });
      expect(rr.history.map((h) => h.loss)).toEqual(rs.history.map((h) => h.loss));
      const d = toyData(3);
      expect(resumed.reconstruct(d.x)).toEqual(straight.reconstruct(d.x));
      straight.dispose();
      resumed.dispose();
    });

  it('a weight average ends the run with the moving average of the per-step weights, and is checked', { timeout: 60_000 }, async () => {
    const vae = new SpectrogramVae(tiny('standard', 12));
    const bias = () => vae.trainableVariables.find((v) => v.name.includes('z_mean') && v.shape.length === 1)!;
    // Independently: the average of the weights seen after each step, with the trainer's documented decay.
    let avg = Array.from(bias().dataSync());
    const decay = 0.95;
    const r = await trainVae(vae, data, {
      ...opts, epochs: 2, weightAverage: decay,
      onBatchEnd: (e) => {
        const d = Math.min(decay, (1 + e.step) / (10 + e.step));
        const w = bias().dataSync();
        avg = avg.map((a, i) => d * a + (1 - d) * w[i]!);
      },
    });
    expect(r.history).toHaveLength(2);
    Array.from(bias().dataSync()).forEach((v, i) => expect(v).toBeCloseTo(avg[i]!, 5));
    await expect(trainVae(vae, data, { ...opts, weightAverage: 1 })).rejects.toThrow(/weightAverage must be in \(0, 1\), got 1/);
    vae.dispose();
  });

  it('stops on a non-finite loss with a clear error and keeps the last good checkpoint', async () => {
    const vae = new SpectrogramVae({ ...tiny(), reconWeight: 1e38, klWeight: 1e38 });
    const store = new MemoryCheckpointStore();
    await expect(trainVae(vae, data, { ...opts, checkpoint: store })).rejects.toThrow(TrainingDivergedError);
    await expect(trainVae(vae, data, { ...opts })).rejects.toThrow(/diverged at epoch 1, batch 1/);
    vae.dispose();
  });

  it('refuses data that is not normalised spectrograms', async () => {
    const vae = new SpectrogramVae(tiny());
    const bad = toyData(4);
    bad.x[5] = Number.NaN;
    await expect(trainVae(vae, bad, opts)).rejects.toThrow(/outside \[0, 1\]/);
    await expect(trainVae(vae, { x: new Float32Array(10), n: 1 }, opts)).rejects.toThrow(/expected 1 x 16 x 8/);
    vae.dispose();
  });

  it('early-stops on the validation loss and stops cleanly when aborted', { timeout: 60_000 }, async () => {
    const vae = new SpectrogramVae(tiny());
    const r = await trainVae(vae, data, { ...opts, epochs: 50, validation: toyData(6), earlyStopping: { patience: 2, minDelta: 1e12 } });
    expect(r.stoppedBy).toBe('early-stopping');
    expect(r.history.length).toBe(3);
    const ac = new AbortController();
    const store = new MemoryCheckpointStore();
    const ra = await trainVae(vae, data, {
      ...opts, checkpoint: store, signal: ac.signal, onBatchEnd: (e) => { if (e.batch === 1) ac.abort(); },
    });
    expect(ra.stoppedBy).toBe('abort');
    expect(store.saves).toBe(1);
    vae.dispose();
  });

  it('shuffles with a permutation that depends on (seed, epoch) only', () => {
    const a = epochOrder(100, 1, 0);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(epochOrder(100, 1, 0)).toEqual(a);
    expect(epochOrder(100, 1, 1)).not.toEqual(a);
  });
});

describe('files', () => {
  it.each(['standard', 'gmvae', 'cvae'] as const)('a %s model folder loads back identical', { timeout: 60_000 }, async (kind) => {
    const vae = new SpectrogramVae(tiny(kind));
    await trainVae(vae, toyData(8), { epochs: 1, batchSize: 4 });
    const dir = join(tmp, `model-${kind}`);
    await saveModelDir(dir, await toBundle(vae, { features: { preset: 'test' } }));
    const back = await fromBundle(await loadModelDir(dir));
    const d = toyData(3);
    const labels = kind === 'cvae' ? d.labels : undefined;
    expect(back.reconstruct(d.x, labels)).toEqual(vae.reconstruct(d.x, labels));
    if (kind === 'gmvae') expect(back.sampleLatents(2, 1, { component: 1 })).toEqual(vae.sampleLatents(2, 1, { component: 1 }));
    // The trainer fitted the digits' latent Gaussians (the toy data has labels); they travel with the model.
    expect(vae.classPrior).not.toBeNull();
    expect(back.sampleLatents(3, 5, { digits: [0, 1, 2] })).toEqual(vae.sampleLatents(3, 5, { digits: [0, 1, 2] }));
    expect(JSON.parse(readFileSync(join(dir, 'encoder', 'model.json'), 'utf8')).format).toBe('layers-model');
    vae.dispose();
    back.dispose();
  });

  it('explains missing, damaged and newer model folders', async () => {
    const vae = new SpectrogramVae(tiny());
    const dir = join(tmp, 'damaged');
    await saveModelDir(dir, await toBundle(vae));
    await expect(loadModelDir(join(tmp, 'nowhere'))).rejects.toThrow(/specvae.json: missing/);
    const manifest = JSON.parse(readFileSync(join(dir, 'specvae.json'), 'utf8'));
    writeFileSync(join(dir, 'specvae.json'), JSON.stringify({ ...manifest, version: 99 }));
    await expect(loadModelDir(dir)).rejects.toThrow(/version 99 is newer/);
    writeFileSync(join(dir, 'specvae.json'), JSON.stringify({ ...manifest, classPrior: { means: [[0, 1]], cholesky: [[1, 0, 0, 1]], counts: [1] } }));
    await expect(loadModelDir(dir)).rejects.toThrow(/classPrior must hold means \[classes\]\[3\]/);
    writeFileSync(join(dir, 'specvae.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'decoder', 'weights.bin'), new Uint8Array(10));
    await expect(loadModelDir(dir)).rejects.toThrow(ModelFormatError);
    await expect(loadModelDir(dir)).rejects.toThrow(/weights.bin has 10 bytes/);
    writeFileSync(join(dir, 'encoder', 'model.json'), '{"modelTopology": ');
    await expect(loadModelDir(dir)).rejects.toThrow(/not valid JSON/);
    vae.dispose();
  });

  it('checkpoint folders resume after the process is gone', { timeout: 60_000 }, async () => {
    const store = new FolderCheckpointStore(join(tmp, 'ckpt'));
    const vae = new SpectrogramVae(tiny('gmvae'));
    await trainVae(vae, toyData(8), { epochs: 2, batchSize: 4, checkpoint: store });
    const ckpt = (await new FolderCheckpointStore(join(tmp, 'ckpt')).load())!;
    expect(ckpt.state.epoch).toBe(2);
    expect(ckpt.optimizer.names.length).toBeGreaterThan(1);
    const back = await fromBundle(ckpt.bundle);
    const r = await trainVae(back, toyData(8), { epochs: 3, batchSize: 4, resumeFrom: ckpt });
    expect(r.history.length).toBe(3);
    vae.dispose();
    back.dispose();
  });
});
