// @ts-nocheck
import { createFftJsBaseline } from './fftjs.js';
import { createPffftBaseline } from './pffft.js';
const which = process.argv[2];
const bs = [];
if (which !== 'pffft') bs.push(await createFftJsBaseline(512));
if (which !== 'fftjs') bs.push(await createPffftBaseline(512));
const x = new Float32Array(16317).map((_, i) => Math.sin(i * 0.05) * 0.5 + Math.sin(i*0.31)*0.1);
const mag = new Float32Array(257 * 64); bs[0].stft.magnitude(x, mag);
const db = new Float32Array(257*64);
// warm both
for (const b of bs) { for (let i = 0; i < 5; i++) b.griffinLim(mag, { length: x.length }); for (let i = 0; i < 200; i++) b.stft.logMagnitude(x, db); }
const res = {};
for (let r = 0; r < 5; r++) for (const b of bs) {
  let t0 = performance.now(); for (let i = 0; i < 10; i++) b.griffinLim(mag, { length: x.length }); const gl = (performance.now() - t0) / 10;
  t0 = performance.now(); for (let i = 0; i < 300; i++) b.stft.logMagnitude(x, db); const st = (performance.now() - t0) / 300;
  (res[b.name] ??= []).push([gl, st]);
}
for (const [k, v] of Object.entries(res)) { const g = v.map(a=>a[0]).sort((a,b)=>a-b), s = v.map(a=>a[1]).sort((a,b)=>a-b); console.log(which.padEnd(6), k.padEnd(26), 'GL med', g[2].toFixed(2), 'min', g[0].toFixed(2), ' STFT med', s[2].toFixed(3), 'min', s[0].toFixed(3)); }
