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
  /** Running mean of the gradient norm (spikeClip), null before the first step or when off. */
  gradNormMean?: number | null;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  recon: number;
  kl: number;
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

export async function optimizerState(opt: tf.Optimizer): Promise<OptimizerState> {
  const weights = await opt.getWeights();
  const total = weights.reduce((n, w) => n + w.tensor.size, 0);
  const data = new Float32Array(total);
  let o = 0;
  for (const w of weights) {
    data.set(await w.tensor.data() as Float32Array, o);
    o += w.tensor.size;
  }
  return { names: weights.map((w) => w.name), shapes: weights.map((w) => w.tensor.shape), data };
}

export async function restoreOptimizer(opt: tf.Optimizer, s: OptimizerState): Promise<void> {
  let o = 0;
  const named = s.names.map((name, i) => {
    const shape = s.shapes[i]!;
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(s.data.subarray(o, o + size), shape);
    o += size;
    return { name, tensor };
  });
  await opt.setWeights(named);
  named.forEach((n) => n.tensor.dispose());
}
