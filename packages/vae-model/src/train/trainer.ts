import * as tf from '@tensorflow/tfjs-core';
import { toBundle } from '../io/bundle.js';
import type { SpectrogramVae } from '../models/vae.js';
import { mulberry32 } from '../seeded-random.js';
import { RAW_WEIGHT_PREFIX, WeightAverage } from './weight-average.js';
import {
  optimizerState, restoreOptimizer, type Checkpoint, type CheckpointStore, type EpochMetrics, type TrainingState,
} from './checkpoint.js';

/** Training examples: n spectrograms [n, bins, frames] in [0, 1], with digit labels for a cvae. */
export interface TrainingData {
  x: Float32Array;
  n: number;
  labels?: ArrayLike<number>;
}

export interface BatchEvent {
  epoch: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  recon: number;
  kl: number;
  /** A gmvae with a class term: the batch's mean -log p(own digit | z) (see LossTerms.classNll). */
  classNll?: number;
  /** The learning rate this step used (see learningRateSchedule). */
  learningRate: number;
}

export interface TrainOptions {
  epochs: number;
  /** Examples per optimiser step (default 64). */
  batchSize?: number;
  /** Largest batch run through the network at once; gradients of the micro-batches are summed (default: batchSize). */
  microBatch?: number;
  /** Adam learning rate (default 5e-4, the original's). */
  learningRate?: number;
  /** Adam's second-moment decay (default 0.999, tfjs' and PyTorch's). */
  adamBeta2?: number;
  /**
   * Learning-rate schedule over the whole run (`epochs` x batches steps):
   * 'constant' (default, the original's), or 'cosine': from learningRate down
   * to learningRate * finalLearningRateFraction along a half cosine, which
   * lets the last epochs settle instead of hopping between minima.
   */
  learningRateSchedule?: 'constant' | 'cosine';
  /** Final rate of the cosine schedule as a fraction of learningRate (default 0.05). */
  finalLearningRateFraction?: number;
  /** Seeds shuffling and the reparameterisation noise (default 1). Same seed, same data, same backend: same run. */
  seed?: number;
  /** Ramp the KL weight linearly from 0 to 1 over this many epochs (default 0: off). */
  klWarmupEpochs?: number;
  /**
   * Clips (in the epoch's shuffled order) over which BatchNorm's moving
   * statistics are recomputed after every epoch (default 512; 0: off). See
   * SpectrogramVae.recalibrateBatchNorm.
   */
  batchNormRecalibration?: number;
  /**
   * Fit the digits' latent Gaussians (SpectrogramVae.fitClassPrior) on all
   * training clips after every epoch, so every checkpoint carries them
   * (default: true when the data has labels; it costs one encoder pass). A
   * gmvae with labelled components has its components matched to its
   * digits' posteriors in the same pass either way (SpectrogramVae.fitToLabels).
   */
  fitClassPrior?: boolean;
  /**
   * Keep an exponential moving average of the weights with this decay per
   * step (e.g. 0.998: about the last 500 steps) and make it the model: at the
   * end of every epoch the average goes into the model for BatchNorm
   * recalibration, the class prior, validation and the checkpoint, and the run
   * ends with it (default: off). A checkpoint also holds the training weights,
   * so a resumed run continues exactly. The loss of the default recipe jumps
   * now and then even late in a run; the average of the last epochs is not
   * thrown off by one late jump, the last weights are.
   */
  weightAverage?: number | null;
  /** Clip the global gradient norm (default: off). */
  clipNorm?: number;
  /**
   * Spike guard, per variable: each variable's gradient is scaled down to
   * `spikeClip` times the running mean of that variable's recent gradient
   * norms (exponential, 50 steps) when it is larger (default: off; the
   * default preset's recipe uses 2). Unlike clipNorm it needs no knowledge
   * of the loss's scale. Measured on FSDD (default cvae, Adam 1e-3, batch
   * 16): every KL jump (KL from 40-80 to 300-500 nats per clip within 5-10
   * steps, recovered only after about an epoch) began with one batch whose
   * gradient was 7-18 times the recent norm, concentrated in a few
   * variables (the log-variance and mean heads, the last encoder BatchNorm,
   * the first decoder layer's bias: 20-70 times their own norm). Adam's
   * momentum then carried that step on for a dozen steps. A global clip
   * leaves such a spike 10 times too large in those variables; the
   * per-variable guard stops it.
   */
  spikeClip?: number | null;
  /** Held-out data for the validation loss and early stopping. */
  validation?: TrainingData;
  /** Stop when the validation loss has not improved by minDelta for `patience` epochs. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Where a checkpoint is written after every epoch. */
  checkpoint?: CheckpointStore;
  /** Continue this checkpoint's run (optimiser state, epoch, history); the model must have been loaded from it. */
  resumeFrom?: Checkpoint;
  /** Facts stored in the checkpoint's model manifest. */
  manifestExtra?: { features?: unknown; training?: Record<string, unknown> };
  /** Stop after the current batch, write a checkpoint, and return (stoppedBy 'abort'). */
  signal?: AbortSignal;
  /**
   * Wall-clock budget of this call in seconds (default: none). Training ends
   * (stoppedBy 'time') after the epoch after which one more epoch, at the
   * mean epoch time so far plus 5 %, would not fit; and a cosine schedule
   * runs by time as well as by steps: its position is the larger of
   * step / (epochs x batches) and elapsed / budget, so the rate reaches its
   * floor when the budget does even on a machine too slow for all epochs
   * (the default recipe on FSDD: 10 epochs of 12 on a slow day, which left
   * the rate at 11 % of its peak by steps alone). A budgeted run is then not
   * repeatable step for step across machines; without a budget it is.
   */
  timeBudgetSeconds?: number;
  /** The clock for timeBudgetSeconds and the epochs' `seconds`, in milliseconds (default performance.now; tests pass their own). */
  now?: () => number;
  onBatchEnd?: (e: BatchEvent) => void | Promise<void>;
  onEpochEnd?: (e: EpochMetrics) => void | Promise<void>;
}

export interface TrainResult {
  history: EpochMetrics[];
  stoppedBy: 'epochs' | 'early-stopping' | 'abort' | 'time';
  state: TrainingState;
}

/** Training produced a non-finite loss or gradient; the last good checkpoint is intact. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
}

/** The order of the examples in `epoch`: a permutation that depends only on (seed, epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const rand = mulberry32((seed * 7919 + epoch * 104729) >>> 0);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

const nextTick = () => new Promise<void>((r) => setTimeout(r, 0));

function checkData(vae: SpectrogramVae, d: TrainingData, what: string): number {
  const [h, w, c] = vae.architecture.inputShape;
  const per = h * w * c;
  if (!(d.x instanceof Float32Array) || d.n < 1 || d.x.length !== d.n * per) {
    throw new RangeError(`${what}: expected ${d.n} x ${h} x ${w} values, got ${d.x?.length}`);
  }
  if (vae.architecture.kind === 'cvae' && (!d.labels || d.labels.length !== d.n)) throw new RangeError(`${what}: a cvae needs one label per example`);
  if (vae.architecture.labelledComponents && (!d.labels || d.labels.length !== d.n)) {
    throw new RangeError(`${what}: a gmvae with labelled components needs one label per example (or an architecture with labelledComponents: false)`);
  }
  for (let i = 0; i < d.x.length; i++) {
    const v = d.x[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${what}: value ${v} at index ${i} is outside [0, 1] (NaN or not normalised)`);
  }
  return per;
}

/**
 * Trains with Adam in a custom loop: seeded shuffling per epoch, micro-batch
 * gradient accumulation, optional KL warm-up, validation and early stopping,
 * a checkpoint after every epoch, a NaN/divergence guard, cancellation.
 */
export async function trainVae(vae: SpectrogramVae, data: TrainingData, opts: TrainOptions): Promise<TrainResult> {
  const batchSize = opts.batchSize ?? 64;
  const micro = Math.min(opts.microBatch ?? batchSize, batchSize);
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`epochs must be a non-negative integer, got ${opts.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(micro) || micro < 1) throw new RangeError('batchSize and microBatch must be positive integers');
  const recalibration = opts.batchNormRecalibration ?? 512;
  if (!Number.isInteger(recalibration) || recalibration < 0) throw new RangeError(`batchNormRecalibration must be a non-negative integer, got ${recalibration}`);
  const per = checkData(vae, data, 'training data');
  if (opts.validation) checkData(vae, opts.validation, 'validation data');
  const lr = opts.learningRate ?? 5e-4;
  if (!(lr > 0)) throw new RangeError(`learningRate must be > 0, got ${lr}`);
  const schedule = opts.learningRateSchedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine') throw new RangeError(`learningRateSchedule must be 'constant' or 'cosine', got ${String(schedule)}`);
  const finalFraction = opts.finalLearningRateFraction ?? 0.05;
  if (!(finalFraction >= 0 && finalFraction <= 1)) throw new RangeError(`finalLearningRateFraction must be in [0, 1], got ${finalFraction}`);
  const budget = opts.timeBudgetSeconds;
  if (budget !== undefined && !(budget > 0)) throw new RangeError(`timeBudgetSeconds must be > 0, got ${budget}`);
  const now = opts.now ?? (() => performance.now());
  const callStart = now();
  const elapsed = () => (now() - callStart) / 1000;

  const beta2 = opts.adamBeta2 ?? 0.999;
  if (!(beta2 > 0 && beta2 < 1)) throw new RangeError(`adamBeta2 must be in (0, 1), got ${beta2}`);
  const optimizer = tf.train.adam(lr, 0.9, beta2);
  const vars = vae.trainableVariables;
  const state: TrainingState = opts.resumeFrom
    ? structuredClone(opts.resumeFrom.state)
    : { epoch: 0, step: 0, history: [], bestValLoss: null, bestEpoch: null, epochsWithoutImprovement: 0, seed };
  // The model holds the weight average (a checkpoint's model is the
  // average); the training weights come from the checkpoint when it has them.
  const average = opts.weightAverage ? new WeightAverage(vars, opts.weightAverage) : null;
  if (opts.resumeFrom) {
    const extra = await restoreOptimizer(optimizer, opts.resumeFrom.optimizer, RAW_WEIGHT_PREFIX);
    if (extra.size === vars.length) {
      vars.forEach((v, i) => {
        const e = extra.get(`${RAW_WEIGHT_PREFIX}${i}`);
        if (!e || e.data.length !== v.size) throw new RangeError(`resumeFrom: the checkpoint's training weights do not fit this model (entry ${i})`);
        tf.tidy(() => v.assign(tf.tensor(e.data, v.shape)));
      });
    }
  }

  const batches = Math.ceil(data.n / batchSize);
  const totalSteps = Math.max(1, opts.epochs * batches);
  const rateAt = (step: number) => {
    if (schedule === 'constant') return lr;
    const t = Math.min(1, Math.max(step / totalSteps, budget === undefined ? 0 : elapsed() / budget));
    return lr * (finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * t)));
  };
  const buf = new Float32Array(batchSize * per);
  let stoppedBy: TrainResult['stoppedBy'] = 'epochs';

  const saveCheckpoint = async () => {
    if (!opts.checkpoint) return;
    const bundle = await toBundle(vae, opts.manifestExtra);
    await opts.checkpoint.save({ bundle, optimizer: await optimizerState(optimizer, average?.trainingWeights()), state: structuredClone(state) });
  };

  let epochsThisCall = 0;
  try {
    while (state.epoch < opts.epochs) {
      const epoch = state.epoch;
      const t0 = now();
      average?.swapOut();
      const klScale = opts.klWarmupEpochs ? Math.min(1, (epoch + 1) / opts.klWarmupEpochs) : 1;
      const order = epochOrder(data.n, seed, epoch);
      let sumLoss = 0, sumRecon = 0, sumKl = 0, sumClass = 0, seen = 0, clippedSteps = 0;
      let hasClass = false;
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, data.n - start);
        const rate = rateAt(state.step);
        (optimizer as unknown as { learningRate: number }).learningRate = rate;
        let grads: Record<string, tf.Tensor> | null = null;
        let bl = 0, br = 0, bk = 0, bc = 0;
        // The step's noise is drawn once for the whole batch, so splitting it
        // into micro-batches computes exactly the same gradient (up to BatchNorm).
        const noise = tf.randomNormal([size, vae.architecture.latentDim], 0, 1, 'float32', seed * 1_000_003 + state.step);
        for (let m = 0; m < size; m += micro) {
          const ms = Math.min(micro, size - m);
          for (let i = 0; i < ms; i++) {
            const src = order[start + m + i]!;
            buf.set(data.x.subarray(src * per, (src + 1) * per), i * per);
          }
          const labels = data.labels ? Array.from({ length: ms }, (_, i) => data.labels![order[start + m + i]!]!) : undefined;
          const [h, w, c] = vae.architecture.inputShape;
          const kept: tf.Scalar[] = [];
          const { value, grads: g } = tf.tidy(() => {
            const x = tf.tensor4d(buf.subarray(0, ms * per), [ms, h, w, c]);
            return tf.variableGrads(() => {
              const t = vae.lossTerms(x, labels, tf.slice(noise, [m, 0], [ms, -1]) as tf.Tensor2D, klScale);
              kept.push(tf.keep(t.recon), tf.keep(t.kl));
              if (t.classNll) kept.push(tf.keep(t.classNll));
              // Weighted so that the summed micro-batch gradients are those of the whole batch's mean.
              return tf.mul(t.loss, ms / size) as tf.Scalar;
            }, vars);
          });
          const [recon, kl, cls] = kept as [tf.Scalar, tf.Scalar, tf.Scalar | undefined];
          bl += value.dataSync()[0]!;
          br += recon.dataSync()[0]! * (ms / size);
          bk += kl.dataSync()[0]! * (ms / size);
          if (cls) {
            hasClass = true;
            bc += cls.dataSync()[0]! * (ms / size);
          }
          tf.dispose([value, ...kept]);
          if (grads === null) grads = g;
          else {
            const acc: Record<string, tf.Tensor> = grads;
            for (const k of Object.keys(g)) {
              const sum = tf.add(acc[k]!, g[k]!);
              acc[k]!.dispose();
              g[k]!.dispose();
              acc[k] = sum;
            }
          }
        }
        noise.dispose();
        const finalGrads = grads!;
        if (!Number.isFinite(bl)) {
          tf.dispose(Object.values(finalGrads));
          throw new TrainingDivergedError(
            `training diverged at epoch ${epoch + 1}, batch ${b + 1}: the loss is ${bl}. ` +
            `${opts.checkpoint ? `The last good checkpoint (epoch ${state.epoch}) is kept. ` : ''}Try a lower learning rate or clipNorm.`,
          );
        }
        if (opts.clipNorm || opts.spikeClip) {
          const names = vars.map((v) => v.name);
          const norms = Array.from(tf.tidy(() => tf.stack(names.map((k) => tf.norm(finalGrads[k]!))).dataSync()));
          const total = Math.sqrt(norms.reduce((a, n) => a + n * n, 0));
          const globalScale = opts.clipNorm && total > opts.clipNorm ? opts.clipNorm / total : 1;
          const scales = names.map(() => globalScale);
          if (opts.spikeClip) {
            const means = state.gradNormMeans?.length === names.length ? state.gradNormMeans : null;
            state.gradNormMeans = names.map((_, i) => {
              const norm = norms[i]! * globalScale;
              const limit = means ? opts.spikeClip! * means[i]! : Infinity;
              if (norm > limit) scales[i] = globalScale * (limit / norm);
              const kept = Math.min(norm, limit);
              return means ? 0.98 * means[i]! + 0.02 * kept : kept;
            });
          }
          if (scales.some((x) => x < 1)) clippedSteps++;
          const clipped = Object.fromEntries(names.map((k, i) => [k, scales[i] === 1 ? finalGrads[k]! : tf.tidy(() => tf.mul(finalGrads[k]!, scales[i]!))]));
          optimizer.applyGradients(clipped as Parameters<typeof optimizer.applyGradients>[0]);
          // Unscaled gradients are in both maps; disposing one twice is a no-op.
          tf.dispose([...Object.values(clipped), ...Object.values(finalGrads)]);
        } else {
          optimizer.applyGradients(finalGrads as Parameters<typeof optimizer.applyGradients>[0]);
          tf.dispose(Object.values(finalGrads));
        }
        state.step++;
        average?.update(state.step);
        sumLoss += bl * size;
        sumRecon += br * size;
        sumKl += bk * size;
        sumClass += bc * size;
        seen += size;
        await opts.onBatchEnd?.({
          epoch: epoch + 1, batch: b + 1, batches, step: state.step, loss: bl, recon: br, kl: bk, ...(hasClass ? { classNll: bc } : {}), learningRate: rate,
        });
        await nextTick();
        if (opts.signal?.aborted) break;
      }
      if (opts.signal?.aborted && seen < data.n) {
        // An unfinished epoch is not recorded; the checkpoint holds the last complete one's state but the newest weights.
        stoppedBy = 'abort';
        average?.swapIn();
        await saveCheckpoint();
        break;
      }
      average?.swapIn();
      const recal = Math.min(data.n, recalibration);
      if (vae.architecture.batchNorm && recal > 0) {
        const xs = new Float32Array(recal * per);
        for (let i = 0; i < recal; i++) xs.set(data.x.subarray(order[i]! * per, (order[i]! + 1) * per), i * per);
        const ls = data.labels ? Array.from({ length: recal }, (_, i) => data.labels![order[i]!]!) : undefined;
        vae.recalibrateBatchNorm(xs, ls, { batchSize: micro, seed: seed + epoch });
      }
      if (data.labels) vae.fitToLabels(data.x, data.labels, { classPrior: opts.fitClassPrior !== false });
      const metrics: EpochMetrics = {
        epoch: epoch + 1, loss: sumLoss / seen, recon: sumRecon / seen, kl: sumKl / seen, ...(hasClass ? { classNll: sumClass / seen } : {}),
        ...(opts.clipNorm || opts.spikeClip ? { clippedSteps } : {}), klScale,
        seconds: (now() - t0) / 1000,
      };
      if (opts.validation) Object.assign(metrics, evaluateLoss(vae, opts.validation, batchSize, seed));
      state.epoch++;
      state.history.push(metrics);
      let stop = false;
      if (metrics.valLoss !== undefined) {
        const minDelta = opts.earlyStopping?.minDelta ?? 0;
        if (state.bestValLoss === null || metrics.valLoss < state.bestValLoss - minDelta) {
          state.bestValLoss = metrics.valLoss;
          state.bestEpoch = metrics.epoch;
          state.epochsWithoutImprovement = 0;
        } else {
          state.epochsWithoutImprovement++;
          if (opts.earlyStopping && state.epochsWithoutImprovement >= opts.earlyStopping.patience) stop = true;
        }
      }
      await saveCheckpoint();
      await opts.onEpochEnd?.(metrics);
      if (stop) {
        stoppedBy = 'early-stopping';
        break;
      }
      if (opts.signal?.aborted) {
        stoppedBy = 'abort';
        break;
      }
      epochsThisCall++;
      if (budget !== undefined && state.epoch < opts.epochs) {
        const spent = elapsed();
        if (spent + (spent / epochsThisCall) * 1.05 > budget) {
          stoppedBy = 'time';
          break;
        }
      }
    }
  } finally {
    optimizer.dispose();
    // The run ends with the average in the model (swapped in at the last epoch's end).
    average?.dispose();
  }
  return { history: state.history, stoppedBy, state };
}

/** Mean loss terms over a data set in inference mode (BatchNorm moving statistics), fixed noise. */
export function evaluateLoss(vae: SpectrogramVae, d: TrainingData, batchSize = 64, seed = 1): { valLoss: number; valRecon: number; valKl: number } {
  const [h, w, c] = vae.architecture.inputShape;
  const per = h * w * c;
  let l = 0, r = 0, k = 0;
  for (let s = 0; s < d.n; s += batchSize) {
    const size = Math.min(batchSize, d.n - s);
    const labels = d.labels ? Array.from({ length: size }, (_, i) => d.labels![s + i]!) : undefined;
    const [a, b, e] = tf.tidy(() => {
      const x = tf.tensor4d(d.x.subarray(s * per, (s + size) * per), [size, h, w, c]);
      const t = vae.lossTerms(x, labels, seed * 31 + s, 1, false);
      return [t.loss.dataSync()[0]!, t.recon.dataSync()[0]!, t.kl.dataSync()[0]!];
    });
    l += a * size;
    r += b * size;
    k += e * size;
  }
  return { valLoss: l / d.n, valRecon: r / d.n, valKl: k / d.n };
}
