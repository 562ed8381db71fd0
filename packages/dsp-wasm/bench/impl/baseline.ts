// The tasks of a JS/WASM FFT baseline (baselines/common.ts around one FFT
// library). Bundled separately into impl-fftjs.mjs and impl-pffft.mjs, so in
// an isolate that loads both, each runs its own copy of this code and of
// common.ts (monomorphic type feedback, as a standalone implementation would have).
import type { Baseline } from '../baselines/common.js';
import { FFT_REPS, GL_ITER, GL_MOMENTUM, L22, N_BINS, N_FFT, N_FRAMES, type DataViews, type Impl } from '../shared.js';

export function baselineImpl(b: Baseline, data: DataViews): Impl {
  const { clips22, mags } = data;
  const spec = new Float32Array(N_BINS * N_FRAMES);
  const frame = clips22[0]!.subarray(0, N_FFT);
  const glOpts = { nIter: GL_ITER, momentum: GL_MOMENTUM, length: L22 };
  const stft = b.stft;
  return {
    label: b.name,
    db(i) {
      stft.logMagnitude(clips22[i]!, spec);
      return spec.slice();
    },
    tasks: {
      stft() {
        const t = performance.now();
        for (let i = 0; i < clips22.length; i++) stft.logMagnitude(clips22[i]!, spec);
        return (performance.now() - t) / clips22.length;
      },
      fft() {
        const t = performance.now();
        for (let i = 0; i < FFT_REPS; i++) b.fftOnly(frame);
        return (performance.now() - t) / FFT_REPS;
      },
      gl() {
        const t = performance.now();
        for (let i = 0; i < mags.length; i++) b.griffinLim(mags[i]!, glOpts);
        return (performance.now() - t) / mags.length;
      },
    },
  };
}
