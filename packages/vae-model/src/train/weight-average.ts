import * as tf from '@tensorflow/tfjs-core';

/** Prefix of the training weights' entries in a checkpoint's optimiser state. */
export const RAW_WEIGHT_PREFIX = 'training-weights/';

/**
 * An exponential moving average of the trainable weights (Polyak
 * averaging), updated after every optimiser step with decay
 * min(decay, (1 + step) / (10 + step)) so that the first steps do not tie
 * the average to the initial weights. The trainer swaps the average into the
 * model at the end of every epoch (for BatchNorm recalibration, the class
 * prior, validation and the checkpoint) and the training weights back for
 * the next epoch; a run ends with the average in the model.
 */
export class WeightAverage {
  private readonly shadows: tf.Variable[];
  private raw: tf.Tensor[] | null = null;

  /** Starts the average at the variables' current values. */
  constructor(private readonly vars: tf.Variable[], readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`weightAverage must be in (0, 1), got ${decay}`);
    this.shadows = vars.map((v) => tf.variable(v.clone(), false));
  }

  /** Whether the model holds the average (between swapIn and swapOut). */
  get swappedIn(): boolean {
    return this.raw !== null;
  }

  /** Folds the current weights into the average; `step` counts the optimiser steps taken. */
  update(step: number): void {
    if (this.raw) throw new Error('WeightAverage.update while the average is swapped in');
    const d = Math.min(this.decay, (1 + step) / (10 + step));
    tf.tidy(() => {
      this.shadows.forEach((s, i) => s.assign(tf.add(tf.mul(s, d), tf.mul(this.vars[i]!, 1 - d))));
    });
  }

  /** Puts the average into the model, keeping the training weights aside. */
  swapIn(): void {
    if (this.raw) return;
    this.raw = this.vars.map((v) => tf.keep(v.clone()));
    this.vars.forEach((v, i) => v.assign(this.shadows[i]!));
  }

  /** Puts the training weights back. */
  swapOut(): void {
    if (!this.raw) return;
    this.vars.forEach((v, i) => v.assign(this.raw![i]!));
    tf.dispose(this.raw);
    this.raw = null;
  }

  /** The training weights (set aside while swapped in), named for a checkpoint's optimiser state. */
  trainingWeights(): { name: string; tensor: tf.Tensor }[] {
    return (this.raw ?? this.vars).map((t, i) => ({ name: `${RAW_WEIGHT_PREFIX}${i}`, tensor: t }));
  }

  dispose(): void {
    if (this.raw) tf.dispose(this.raw);
    this.raw = null;
    tf.dispose(this.shadows);
  }
}
