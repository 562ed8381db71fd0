/**
 * How each preset is trained by default: the optimiser settings that go with
 * an architecture. The CLI and the web demo take their defaults from here.
 */

/** The feature/architecture preset a recipe belongs to. */
export type RecipePreset = 'default' | 'original';

export interface TrainingRecipe {
  /** Epochs of a full run (the cosine schedule spans exactly these). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  learningRateSchedule: 'constant' | 'cosine';
  /** The trainer's spike guard (TrainOptions.spikeClip), or null for off. */
  spikeClip: number | null;
  /** Decay of the trainer's weight average (TrainOptions.weightAverage), or null for off. */
  weightAverage: number | null;
}

const RECIPES: Readonly<Record<RecipePreset, Readonly<TrainingRecipe>>> = Object.freeze({
  /**
   * The original experiment: Adam 5e-4, batch 64, a constant rate (30 epochs
   * is our choice; the notes train "until it sounds right").
   */
  original: Object.freeze({ epochs: 30, batchSize: 64, learningRate: 5e-4, learningRateSchedule: 'constant' as const, spikeClip: null, weightAverage: null }),
  /**
   * Ours, for the 15-minute budget on a 2-core machine (measured on FSDD,
   * cvae, 2026-11-29; see the package README): batch 16 makes four times as
   * many Adam steps per epoch as 64 at about the same cost per clip (after
   * 2 epochs its training loss was below batch 64's after 5); at 1e-3
   * without decay the loss jumped every few epochs and the test
   * reconstructions swung between 53 % and 82 % recognised, while the cosine
   * decay to 5 % over 12 epochs ended at 99.3 %; 5e-4 learnt too slowly
   * (85 % after 8 epochs against 87 %). The loss still jumped now and then
   * (KL from 40-80 to 300-500 nats within a few steps, recovered after about
   * an epoch; a jump in the last epochs cost up to 30 points of test
   * reconstructions): each jump began with one batch whose gradient was
   * 7-18 times the recent norm in a few variables, which Adam's momentum
   * carried on. The per-variable spike guard (spikeClip 2) stops that (see
   * TrainOptions.spikeClip); the model is also the average of the weights
   * over about the last 500 steps (3 epochs).
   */
  default: Object.freeze({ epochs: 12, batchSize: 16, learningRate: 1e-3, learningRateSchedule: 'cosine' as const, spikeClip: 2, weightAverage: 0.998 }),
});

/** A fresh copy of the recipe of a preset. */
export function trainingRecipe(preset: RecipePreset): TrainingRecipe {
  const r = Object.prototype.hasOwnProperty.call(RECIPES, preset) ? RECIPES[preset] : undefined;
  if (!r) throw new RangeError(`no training recipe for preset ${JSON.stringify(preset)} (expected one of ${Object.keys(RECIPES).join(', ')})`);
  return { ...r };
}
