import { createFftJsBaseline } from './fftjs.js';
import { createPffftBaseline } from './pffft.js';
const which = process.argv[2] ?? 'both';
const bs = [];
if (which !== 'pffft') bs.push(await createFftJsBaseline(512));
if (which !== 'fftjs') bs.push(await createPffftBaseline(512));
const x = new Float32Array(16317).map((_, i) => Math.sin(i * 0.05) * 0.5 + Math.sin(i*0.31)*0.1);
const mag = new Float32Array(257 * 64); bs[0]!.stft.magnitude(x, mag);
const db = new Float32Array(257*64);
for (let r = 0; r < 3; r++) for (const b of bs) {
  let t0 = performance.now(); for (let i = 0; i < 20; i++) b.griffinLim(mag, { length: x.length }); const gl = (performance.now() - t0) / 20;
  t0 = performance.now(); for (let i = 0; i < 500; i++) b.stft.logMagnitude(x, db); const st = (performance.now() - t0) / 500;
  console.log(which, b.name, 'GL', gl.toFixed(2), 'STFT', st.toFixed(3));
}
