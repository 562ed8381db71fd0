/**
 * The messages between the page and its workers. Every request carries an id
 * and gets exactly one response with that id; training also sends events.
 * Float32Arrays in results are transferred, not copied.
 */
import type { BatchEvent, ModelBundle, TrainResult } from '@specvae/vae-model';
import type { DemoExtras } from './extras.js';

/** What runs where, reported by a worker after init. */
export interface BackendStatus {
  /** tfjs backend: 'wasm'. */
  backend: string;
  simd: boolean;
  /** Threads XNNPACK uses (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Which tfjs-wasm binary runs: 'SIMD', 'threaded SIMD' or 'plain'. */
  build: string;
  /** A remark for the status line. */
  note: string;
}

export interface ModelInfo {
  /** 'built-in' or 'trained in this browser'. */
  label: string;
  kind: 'standard' | 'gmvae' | 'cvae';
  parameters: number;
  latentDim: number;
  sampleRate: number;
  nBins: number;
  nFrames: number;
  hop: number;
  nFft: number;
  /** Facts stored with the model (epochs, data, ...). */
  training: Record<string, unknown> | null;
  /** The explorer's points and plane, when the model came with them. */
  extras: DemoExtras | null;
}

export interface ReadyInfo {
  backend: BackendStatus;
  /** dsp-wasm runs its SIMD build. */
  dspSimd: boolean;
  model: ModelInfo | null;
}

export interface Timings {
  /** Decoder forward pass (ms). */
  decodeMs: number;
  /** Griffin-Lim and peak normalisation (ms). */
  griffinLimMs: number;
  /** Everything the request did (ms). */
  totalMs: number;
}

/** A sound and the spectrogram of that sound (normalised, [nBins][nFrames] bin-major). */
export interface Rendered {
  audio: Float32Array;
  sampleRate: number;
  spectrogram: Float32Array;
  nBins: number;
  nFrames: number;
  /** Griffin-Lim's final spectral convergence (0 for a real recording). */
  convergence: number;
}

export interface Generated extends Rendered {
  /** The latent decoded. */
  z: Float32Array;
  /** The digit condition (a cvae), or the class the latent was drawn around; null when none. */
  digit: number | null;
  /** Soft condition weights of a morph (10 values), else null. */
  mix: number[] | null;
  seed: number;
  nIter: number;
  /** Its place on the explorer's plane. */
  plane: [number, number] | null;
  /** Where z came from, for people: "the digit's latent Gaussian", "N(0, I)", ... (null: given or decoded from a recording). */
  zFrom?: string | null;
  timings: Timings;
}

/** An end of a morph: a digit's class mean, a recording of the explorer, or the last reconstructed recording. */
export type Endpoint = { kind: 'digit'; digit: number } | { kind: 'point'; index: number } | { kind: 'recording' };

export interface GenerateParams {
  /** The digit to say; null: a random one (chosen from the seed). */
  digit: number | null;
  seed: number;
  /** Griffin-Lim iterations (default: the model's, 32). */
  nIter?: number;
  /** Decode this latent instead of sampling one. */
  z?: Float32Array;
}

export interface ReconstructParams {
  name: string;
  /** A WAV file... */
  bytes?: ArrayBuffer;
  /** ...or decoded samples (a recording from the microphone, or a format the browser decoded). */
  samples?: Float32Array;
  sampleRate?: number;
  /** The digit spoken, for a conditional model; null: the one whose condition reconstructs best. */
  digit: number | null;
  nIter: number;
  seed: number;
}

export interface Reconstruction {
  name: string;
  original: Rendered;
  reconstruction: Rendered;
  digit: number | null;
  /** Reconstruction error per digit condition (cvae, digit unknown), else null. */
  digitErrors: number[] | null;
  /** Mean squared error of the reconstruction in feature space. */
  mse: number;
  plane: [number, number] | null;
  timings: Timings;
}

export interface TrainParams {
  files: { name: string; bytes: ArrayBuffer }[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface TrainOutcome {
  bundle: ModelBundle;
  extras: DemoExtras | null;
  stoppedBy: TrainResult['stoppedBy'];
  steps: number;
  files: number;
  skipped: { file: string; reason: string }[];
  seconds: number;
}

/** Method name -> [params, result]. */
export interface Methods {
  /** `extrasUrl`: the model's demo-extras.json, or null when it has none. */
  init: [{ role: 'inference' | 'training'; modelUrl: string | null; extrasUrl: string | null; wasmPaths: string }, ReadyInfo];
  generate: [GenerateParams, Generated];
  decodePoint: [{ x: number; y: number; digit: number; seed: number; nIter?: number }, Generated];
  decodeRecording: [{ index: number; seed: number; nIter?: number }, Generated];
  morph: [{ a: Endpoint; b: Endpoint; t: number; seed: number; nIter?: number }, Generated];
  reconstruct: [ReconstructParams, Reconstruction];
  resynthesize: [{ nIter: number; seed: number }, Reconstruction];
  loadModel: [{ bundle: ModelBundle; extras: DemoExtras | null; label: string }, ModelInfo];
  useModel: [{ which: 'built-in' | 'trained' }, ModelInfo];
  train: [TrainParams, TrainOutcome];
  stopTraining: [Record<string, never>, null];
}
export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M][0];
export type Result<M extends Method> = Methods[M][1];

export interface RequestMessage<M extends Method = Method> {
  id: number;
  method: M;
  params: Params<M>;
}

export type ResponseMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/** The trainer's batch event, with the run's length and speed. */
export interface TrainProgress extends BatchEvent {
  epochs: number;
  msPerStep: number;
}

export type EventMessage =
  | { event: 'train-progress'; progress: TrainProgress }
  | { event: 'train-epoch'; epoch: number; loss: number; seconds: number }
  | { event: 'train-status'; text: string };

export function isEvent(m: ResponseMessage | EventMessage): m is EventMessage {
  return 'event' in m;
}
