/** Layout: every spectrogram is bin-major, element (bin k, frame t) at k * nFrames + t, like librosa's S[k, t]. */
export interface Spectrogram {
  data: Float32Array;
  /** nFft / 2 + 1 */
  nBins: number;
  nFrames: number;
}

/** A complex STFT as two bin-major planes. */
export interface ComplexSpectrogram {
  re: Float32Array;
  im: Float32Array;
  nBins: number;
  nFrames: number;
}

export interface StftOptions {
  /** FFT size: a power of two from 16 to 65536. */
  nFft: number;
  /** Samples between frames. Default floor(winLength / 4) (librosa). */
  hop?: number;
  /** Window length, at most nFft (default nFft). The periodic Hann window is zero-padded, centred, to nFft. */
  winLength?: number;
  /** Pad nFft / 2 samples on each side so frame t is centred at t * hop (default true). */
  center?: boolean;
  /** How `center` pads: 'constant' (zeros, librosa >= 0.10's default) or 'reflect'. */
  padMode?: 'constant' | 'reflect';
}

export interface DbOptions {
  /** Reference amplitude (0 dB), or 'max' for the largest input value. Default 1. */
  ref?: number | 'max';
  /** Smallest amplitude considered (default 1e-5, i.e. -100 dB). */
  amin?: number;
  /** Clip values below max - topDb (default 80); null disables the clip. */
  topDb?: number | null;
}

export interface IstftOptions extends StftOptions {
  /** Exact output length (trims or zero-pads, as librosa). Default: hop * (nFrames - 1) when centred. */
  length?: number;
}

export interface GriffinLimOptions extends IstftOptions {
  /** Iterations (default 32). */
  nIter?: number;
  /** Fast Griffin-Lim momentum (default 0.99; 0 is classic Griffin-Lim). */
  momentum?: number;
  /** Initial phase: 'random' (uniform, from `seed`; default, as librosa) or 'zeros'. */
  init?: 'random' | 'zeros';
  /** Seed for init 'random' (default 1). Same seed, same output. */
  seed?: number;
  /** Also return the spectral convergence || |STFT(x_i)| - S || / ||S|| of each iteration. */
  convergence?: boolean;
}

export interface GriffinLimResult {
  signal: Float32Array;
  /** Per iteration, when requested. */
  convergence?: Float32Array;
}

export interface ResampleOptions {
  /** Filter half-length in zero crossings of the lower rate's sinc (default 10, as scipy's resample_poly). */
  zeros?: number;
  /** Kaiser window beta (default 5, as scipy's resample_poly). */
  beta?: number;
}

export interface BatchSpectrogramOptions extends StftOptions, DbOptions {
  /** Pad with zeros or crop every signal to this many samples before the STFT. */
  length: number;
  /** Map each clip's dB values to [0, 1] with its own min and max (default false). */
  normalize?: boolean;
}
