// What the bench's orchestrator (dsp.bench.ts), its worker (worker.ts) and the
// implementation modules (impl/*.ts) agree on: the geometry, the layout of the
// data shared through SharedArrayBuffers, the task names and the worker
// protocol. Each bundle gets its own copy of this module (it holds no state).

export const N_FFT = 512;
export const HOP = 256;
/** Samples per clip at 22,050 Hz after the 0.74 s cut, resampling and padding. */
export const L22 = 16317;
export const SR = 22050;
export const N_BINS = N_FFT / 2 + 1;
export const N_FRAMES = 1 + Math.floor(L22 / HOP);
/** Griffin-Lim: clips, iterations, momentum. */
export const GL_CLIPS = 60;
export const GL_ITER = 32;
export const GL_MOMENTUM = 0.99;
/** Repetitions of the single 512-point FFT in the FFT-only task. */
export const FFT_REPS = 20000;

/**
 * The data set, decoded once by the main thread. Every buffer is a
 * SharedArrayBuffer: workers make views on it, nothing is copied per worker
 * (only the file names, used in decode error messages, travel as strings).
 */
export interface SharedData {
  count: number;
  names: string[];
  /** count x L22 float32: the 22,050 Hz inputs of the STFT tasks. */
  clips22: SharedArrayBuffer;
  /** Decoded 8 kHz clips, concatenated float32; clip i is [offsets8[i], offsets8[i + 1]). */
  clips8: SharedArrayBuffer;
  offsets8: SharedArrayBuffer;
  /** The WAV files' bytes, each starting at a multiple of 8; file i is [wavStart[i], wavStart[i] + wavLength[i]). */
  wav: SharedArrayBuffer;
  wavStart: SharedArrayBuffer;
  wavLength: SharedArrayBuffer;
  /** GL_CLIPS x N_BINS x N_FRAMES float32: |STFT| of the first clips, the Griffin-Lim inputs. */
  mags: SharedArrayBuffer;
}

export interface DataViews {
  names: string[];
  clips22: Float32Array[];
  clips8: Float32Array[];
  wav: Uint8Array[];
  mags: Float32Array[];
}

export function viewsOf(d: SharedData): DataViews {
  const clips22: Float32Array[] = [];
  const clips8: Float32Array[] = [];
  const wav: Uint8Array[] = [];
  const mags: Float32Array[] = [];
  const off8 = new Int32Array(d.offsets8);
  const wStart = new Int32Array(d.wavStart);
  const wLen = new Int32Array(d.wavLength);
  for (let i = 0; i < d.count; i++) {
    clips22.push(new Float32Array(d.clips22, i * L22 * 4, L22));
    clips8.push(new Float32Array(d.clips8, off8[i]! * 4, off8[i + 1]! - off8[i]!));
    wav.push(new Uint8Array(d.wav, wStart[i]!, wLen[i]!));
  }
  const per = N_BINS * N_FRAMES;
  for (let i = 0; i < GL_CLIPS; i++) mags.push(new Float32Array(d.mags, i * per * 4, per));
  return { names: d.names, clips22, clips8, wav, mags };
}

/**
 * Timed tasks. Each returns ms per item: per clip (stft, batch, gl,
 * resample), per transform (fft), or ms for the whole data set (pipeline).
 */
export type TaskName = 'stft' | 'batch' | 'fft' | 'gl' | 'resample' | 'pipeline';
export const TASK_ORDER: readonly TaskName[] = ['stft', 'batch', 'fft', 'gl', 'resample', 'pipeline'];

/** One implementation as loaded in a worker. */
export interface Impl {
  readonly label: string;
  readonly tasks: Partial<Record<TaskName, () => number>>;
  /** dB spectrogram (no top_db clip) of clip i, bin-major N_BINS x N_FRAMES, for the agreement check. */
  db(i: number): Float32Array;
}

/** The default export of each impl-*.mjs bundle. */
export type ImplFactory = (data: DataViews) => Promise<Impl>;

export type ImplName = 'specvae' | 'fftjs' | 'pffft';

export interface WorkerInit {
  /** Loaded in this order; each from its own bundle (so each has its own copy of shared code). */
  impls: ImplName[];
  data: SharedData;
}

export type Request =
  | { id: number; cmd: 'warmup' }
  | { id: number; cmd: 'run'; impl: ImplName; task: TaskName }
  | { id: number; cmd: 'db'; impl: ImplName; clip: number }
  | { id: number; cmd: 'probe' };

export type Reply =
  | { kind: 'ready'; labels: Record<string, string> }
  | { kind: 'load-failed'; error: string }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: string };

/**
 * Result of the end-of-run probe: times of a typed-array loop before and after
 * this isolate deliberately detaches an ArrayBuffer. V8 guards the typed-array
 * fast path with an isolate-wide protector that any detach (or WASM memory
 * growth) invalidates for good; if it was still intact, `after` is much slower
 * than `before`; if it was already gone, they match.
 */
export interface ProbeResult {
  before: number;
  after: number;
}
