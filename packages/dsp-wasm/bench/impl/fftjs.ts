// fft.js baseline in a benchmark worker (bundled to dist-bench/impl-fftjs.mjs; fft.js itself stays external).
import { createFftJsBaseline } from '../baselines/fftjs.js';
import { HOP, N_FFT, type DataViews, type Impl } from '../shared.js';
import { baselineImpl } from './baseline.js';

export default async function create(data: DataViews): Promise<Impl> {
  return baselineImpl(await createFftJsBaseline(N_FFT, { hop: HOP }), data);
}
