import * as tf from '@tensorflow/tfjs-core';
import type { ModelBundle } from '../io/bundle.js';

/** Progress of a run, enough to resume it exactly. */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  /** Optimiser steps taken. */
  step: number;
  history: EpochMetrics[];
  bestValLoss: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  seed: number;
  /** Running means of each trainable variable's gradient norm (spikeClip), in the model's variable order; absent before the first step or when off. */
  gradNormMeans?: number[];
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  recon: number;
  kl: number;
  /** A gmvae with a class term: the mean -log p(own digit | z) in nats (the loss holds classWeight times it). */
  classNll?: number;
  /** Steps of this epoch in which clipNorm or spikeClip scaled a gradient down (present when either is on). */
  clippedSteps?: number;
  valLoss?: number;
  valRecon?: number;
  valKl?: number;
  klScale: number;
  seconds: number;
}

/** The optimiser's slots (Adam moments, iteration count) as plain arrays. */
export interface OptimizerState {
  names: string[];
  shapes: number[][];
  data: Float32Array;
}

export interface Checkpoint {
  bundle: ModelBundle;
  optimizer: OptimizerState;
  state: TrainingState;
}

/** Where checkpoints go: a folder in Node (checkpoint-node.ts), memory or IndexedDB in a browser. */
export interface CheckpointStore {
  save(c: Checkpoint): Promise<void>;
  load(): Promise<Checkpoint | null>;
}

/** Keeps the latest checkpoint in memory (browsers, tests). */
export class MemoryCheckpointStore implements CheckpointStore {
  private last: Checkpoint | null = null;
  saves = 0;
  async save(c: Checkpoint): Promise<void> {
    this.last = c;
    this.saves++;
  }
  async load(): Promise<Checkpoint | null> {
    return this.last;
  }
}

/** The optimiser's slots, plus `extra` named tensors (the training weights of a weight-averaged run). */
export async function optimizerState(opt: tf.Optimizer, extra: { name: string; tensor: tf.Tensor }[] = []): Promise<OptimizerState> {
  const weights = [...await opt.getWeights(), ...extra];
  const total = weights.reduce((n, w) => n + w.tensor.size, 0);
  const data = new Float32Array(total);
  let o = 0;
  for (const w of weights) {
    data.set(await w.tensor.data() as Float32Array, o);
    o += w.tensor.size;
  }
  return { names: weights.map((w) => w.name), shapes: weights.map((w) => w.tensor.shape), data };
}

/**
 * Restores the optimiser's slots; entries whose names start with
 * `extraPrefix` are not the optimiser's and are returned as plain arrays.
 */
export async function restoreOptimizer(opt: tf.Optimizer, s: OptimizerState, extraPrefix?: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  let o = 0;
  const extra = new Map<string, { shape: number[]; data: Float32Array }>();
  const named: { name: string; tensor: tf.Tensor }[] = [];
  s.names.forEach((name, i) => {
    const shape = s.shapes[i]!;
    const size = shape.reduce((a, b) => a * b, 1);
    const data = s.data.subarray(o, o + size);
    o += size;
    if (extraPrefix !== undefined && name.startsWith(extraPrefix)) extra.set(name, { shape, data });
    else named.push({ name, tensor: tf.tensor(data, shape) });
  });
  await opt.setWeights(named);
  named.forEach((n) => n.tensor.dispose());
  return extra;
}
