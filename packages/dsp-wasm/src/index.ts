export { Dsp, createDsp, frameCount } from './dsp.js';
export { simdSupported, type LoadOptions, type WasmSource } from './loader.js';
export type { DspKernels } from './kernels.js';
export type {
  BatchSpectrogramOptions, ComplexSpectrogram, DbOptions, GriffinLimOptions, GriffinLimResult,
  IstftOptions, ResampleOptions, Spectrogram, StftOptions,
} from './types.js';
export {
  decodeWav, encodeWav, WavError,
  type DecodedWav, type DecodeWavOptions, type EncodeWavOptions, type WavErrorCode, type WavSampleFormat,
} from './wav.js';
