/** The raw exports of the AssemblyScript module (assembly/index.ts). Pointers are byte offsets. */
export interface DspKernels {
  readonly memory: WebAssembly.Memory;
  simdEnabled(): number;
  alloc(bytes: number): number;
  mark(): number;
  release(mark: number): void;
  used(): number;
  fftPlan(n: number): number;
  planN(plan: number): number;
  hannWindow(nFft: number, winLength: number, out: number): void;
  windowSumSquareInv(win: number, nFft: number, hop: number, nFrames: number, outLen: number, out: number): void;
  padSignal(x: number, len: number, pad: number, mode: number, out: number): number;
  stft(plan: number, sig: number, hop: number, nFrames: number, win: number, mode: number, amin: number, outRe: number, outIm: number): void;
  istftOverlapAdd(plan: number, xr: number, xi: number, mag: number, rowFrames: number, nFrames: number, hop: number, win: number, ola: number): void;
  istftFinish(ola: number, inv: number, olaLen: number, start: number, length: number, out: number): void;
  griffinLim(
    plan: number, mag: number, nFrames: number, hop: number, win: number, nIter: number, momentum: number,
    length: number, center: number, padMode: number, init: number, seed: number,
    angRe: number, angIm: number, out: number, conv: number,
  ): number;
  amplitudeToDbRaw(x: number, n: number, amin: number, out: number): number;
  maxOf(x: number, n: number): number;
  shiftAndFloor(x: number, n: number, offset: number, floor: number): void;
  affine(x: number, n: number, lo: number, scale: number): void;
  dbToAmplitude(x: number, n: number, ref: number, out: number): void;
  resamplePlan(up: number, down: number, zeros: number, beta: number): number;
  resampleLength(plan: number, nIn: number): number;
  resample(plan: number, x: number, nIn: number, out: number): number;
  rfft(plan: number, x: number, outRe: number, outIm: number): void;
  irfft(plan: number, xr: number, xi: number, out: number): void;
}

/** Emit modes of the stft kernel. */
export const EMIT = { complex: 0, magnitude: 1, power: 2, db: 3 } as const;
