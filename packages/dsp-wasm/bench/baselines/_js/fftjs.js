/**
 * Baseline on fft.js 4.0.4 (pure JS radix-4): one plan per size, Float64Array
 * buffers reused for every frame (fft.js runs fastest on monomorphic
 * Float64Array / double arrays; Float32Array costs it ~20%).
 *
 * forward: `realTransform` (fills bins 0..n/2 of an interleaved complex array,
 * i.e. the layout expected by common.ts with the Nyquist bin at index n).
 * inverse: fft.js has no real inverse, so the usual way: zero the DC/Nyquist
 * imaginary parts (numpy's irfft ignores them), `completeSpectrum`, complex
 * `inverseTransform` (which already divides by n), read the real parts.
 */
import FFT from 'fft.js';
import { clipTopDb, privateInstance } from './common.js';
export { clipTopDb };
class FftJsReal {
    n;
    nyquistIndex;
    halfSpecLength;
    fwdIn;
    spec;
    invOut;
    invStride = 2;
    invScale = 1;
    plan;
    constructor(n) {
        this.plan = new FFT(n);
        this.n = n;
        this.nyquistIndex = n;
        this.halfSpecLength = n + 2;
        this.fwdIn = new Float64Array(n);
        this.spec = new Float64Array(2 * n);
        this.invOut = new Float64Array(2 * n);
    }
    forward() {
        this.plan.realTransform(this.spec, this.fwdIn);
    }
    inverse() {
        const spec = this.spec;
        spec[1] = 0;
        spec[this.n + 1] = 0;
        this.plan.completeSpectrum(spec);
        this.plan.inverseTransform(this.invOut, spec);
    }
    dispose() {
        // Nothing native to release.
    }
}
/** Factory for common.ts: a planned fft.js real FFT of size n (power of two). */
export function fftJsRealFft(n) {
    return new FftJsReal(n);
}
/**
 * fft.js baseline. Geometry defaults to the benchmark's: hop = nFft/2, winLength = nFft.
 * Runs the shared code from its own module instance (see `privateInstance`).
 */
export async function createFftJsBaseline(nFft, opts = {}) {
    const common = await privateInstance('fftjs');
    return common.createBaseline('fft.js 4.0.4 (JS)', fftJsRealFft, nFft, opts);
}
