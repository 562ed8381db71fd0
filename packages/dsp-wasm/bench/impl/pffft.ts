// pffft-wasm SIMD baseline in a benchmark worker (bundled to dist-bench/impl-pffft.mjs;
// @echogarden/pffft-wasm stays external, so it finds its own wasm in node_modules).
import { createPffftBaseline } from '../baselines/pffft.js';
import { HOP, N_FFT, type DataViews, type Impl } from '../shared.js';
import { baselineImpl } from './baseline.js';

export default async function create(data: DataViews): Promise<Impl> {
  return baselineImpl(await createPffftBaseline(N_FFT, { hop: HOP }), data);
}
