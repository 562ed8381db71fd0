// @specvae/dsp-wasm in a benchmark worker (bundled to dist-bench/impl-specvae.mjs;
// the library's `new URL('../wasm/dsp-simd.wasm', import.meta.url)` resolves
// from there to the package's wasm/ folder).
import { createDsp, decodeWav } from '../../src/index.js';
import {
  FFT_REPS, GL_ITER, GL_MOMENTUM, HOP, L22, N_BINS, N_FFT, N_FRAMES, SR,
  type DataViews, type Impl,
} from '../shared.js';

export default async function create(data: DataViews): Promise<Impl> {
  const dsp = await createDsp();
  if (!dsp.simd) throw new Error('specvae: the SIMD build did not load');
  const { clips22, clips8, mags, wav, names } = data;
  const spec = new Float32Array(N_BINS * N_FRAMES);
  const stftOpts = { nFft: N_FFT, hop: HOP, topDb: null };
  const batchOpts = { nFft: N_FFT, hop: HOP, length: L22, topDb: 80, normalize: true };
  const glOpts = { nFft: N_FFT, hop: HOP, length: L22, init: 'zeros' as const, nIter: GL_ITER, momentum: GL_MOMENTUM };
  const cut = Math.floor(0.74 * 8000);

  // FFT only: the raw kernel on one frame already in module memory.
  const k = dsp.kernels;
  const fftPlan = k.fftPlan(N_FFT);
  const framePtr = k.alloc(N_FFT * 4), reP = k.alloc(N_BINS * 4), imP = k.alloc(N_BINS * 4);
  dsp.heapF32(framePtr, N_FFT).set(clips22[0]!.subarray(0, N_FFT));

  return {
    label: `@specvae/dsp-wasm (SIMD ${dsp.simd})`,
    db(i) {
      return dsp.stftDb(clips22[i]!, stftOpts, spec).data.slice();
    },
    tasks: {
      stft() {
        const t = performance.now();
        for (let i = 0; i < clips22.length; i++) dsp.stftDb(clips22[i]!, stftOpts, spec);
        return (performance.now() - t) / clips22.length;
      },
      batch() {
        const t = performance.now();
        dsp.spectrogramBatch(clips22, batchOpts);
        return (performance.now() - t) / clips22.length;
      },
      fft() {
        const t = performance.now();
        for (let i = 0; i < FFT_REPS; i++) k.rfft(fftPlan, framePtr, reP, imP);
        return (performance.now() - t) / FFT_REPS;
      },
      gl() {
        const t = performance.now();
        for (let i = 0; i < mags.length; i++) dsp.griffinLim({ data: mags[i]!, nBins: N_BINS, nFrames: N_FRAMES }, glOpts);
        return (performance.now() - t) / mags.length;
      },
      resample() {
        const t = performance.now();
        for (let i = 0; i < clips8.length; i++) dsp.resample(clips8[i]!, 8000, SR);
        return (performance.now() - t) / clips8.length;
      },
      pipeline() {
        // decode + resample + pad + STFT + dB + top_db + normalise, for every clip, from bytes in memory.
        const t = performance.now();
        const signals: Float32Array[] = [];
        for (let i = 0; i < wav.length; i++) {
          const x = decodeWav(wav[i]!, { name: names[i] }).channels[0]!;
          signals.push(dsp.resample(x.subarray(0, cut), 8000, SR));
        }
        dsp.spectrogramBatch(signals, batchOpts);
        return performance.now() - t;
      },
    },
  };
}
