// @specvae/dsp-wasm kernels. Pointers are byte offsets into this module's
// memory; the TypeScript wrapper (src/) owns allocation and copies.

export { alloc, mark, release, used } from './arena';
export { fftPlan, planN } from './fft';
export { hannWindow, windowSumSquareInv, padSignal } from './window';
export { stft, istftOverlapAdd, istftFinish } from './stft';
export { griffinLim } from './griffinlim';
export { amplitudeToDbRaw, maxOf, shiftAndFloor, affine, dbToAmplitude } from './db';
export { resamplePlan, resampleLength, resample } from './resample';
export { rfft, irfft } from './rfft';

/** 1 when this build uses WebAssembly SIMD. */
export function simdEnabled(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }
