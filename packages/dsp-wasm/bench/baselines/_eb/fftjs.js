import FFT from "fft.js";
import { clipTopDb, privateInstance } from "./common.js";
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
  }
}
function fftJsRealFft(n) {
  return new FftJsReal(n);
}
async function createFftJsBaseline(nFft, opts = {}) {
  const common = await privateInstance("fftjs");
  return common.createBaseline("fft.js 4.0.4 (JS)", fftJsRealFft, nFft, opts);
}
export {
  clipTopDb,
  createFftJsBaseline,
  fftJsRealFft
};
