// pnpm bench: @specvae/dsp-wasm against the strongest JS and WASM FFT
// baselines (fft.js, @echogarden/pffft-wasm SIMD) and numpy/scipy, in one
// run, on all 3,000 FSDD clips in the original experiment's geometry
// (16,317 samples at 22,050 Hz, n_fft 512, hop 256 -> 257 x 64). Rounds are
// interleaved and the median of 3 is reported; the machine is shared, so
// read the ratios, not the absolute numbers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDsp, decodeWav } from '../src/index.js';
import { createFftJsBaseline } from './baselines/fftjs.js';
import { createPffftBaseline } from './baselines/pffft.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fsddDir = process.env.FSDD_DIR ?? resolve(here, '../../../../shared/fsdd');
const N_FFT = 512, HOP = 256, L22 = 16317, SR = 22050;
const ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function fmt(x: number, digits = 3): string {
  return x.toFixed(digits);
}
function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const dsp = await createDsp();
const fftjs = await createFftJsBaseline(N_FFT, { hop: HOP });
const pffft = await createPffftBaseline(N_FFT, { hop: HOP });

// ---- data ----------------------------------------------------------------
const files = readdirSync(fsddDir).filter((f) => f.endsWith('.wav')).sort();
log(`bench: ${files.length} FSDD files from ${fsddDir}`);
const bytes = files.map((f) => new Uint8Array(readFileSync(join(fsddDir, f))));
// The original pipeline: keep int(0.74 * 8000) samples at 8 kHz, resample to 22,050 Hz, pad to 16,317.
const clips8 = bytes.map((b, i) => decodeWav(b, { name: files[i] }).channels[0]!);
const clips22 = clips8.map((x) => {
  const y = dsp.resample(x.subarray(0, Math.floor(0.74 * 8000)), 8000, SR);
  const out = new Float32Array(L22);
  out.set(y.subarray(0, L22));
  return out;
});
const nFrames = 1 + Math.floor(L22 / HOP);
const nBins = N_FFT / 2 + 1;

// ---- agreement before timing -------------------------------------------------
{
  const x = clips22[1234]!;
  const ours = dsp.stftDb(x, { nFft: N_FFT, hop: HOP, topDb: null }).data;
  const a = new Float32Array(nBins * nFrames), b = new Float32Array(nBins * nFrames);
  fftjs.stft.logMagnitude(x, a);
  pffft.stft.logMagnitude(x, b);
  let ea = 0, eb = 0;
  for (let i = 0; i < ours.length; i++) {
    if (a[i]! > -60) ea = Math.max(ea, Math.abs(ours[i]! - a[i]!));
    if (b[i]! > -60) eb = Math.max(eb, Math.abs(ours[i]! - b[i]!));
  }
  log(`bench: dB agreement on bins above -60 dB: vs fft.js ${ea.toExponential(2)} dB, vs pffft ${eb.toExponential(2)} dB`);
}

// ---- timing helpers --------------------------------------------------------
type Timed = Record<string, number[]>;
function perClip(fn: (x: Float32Array, i: number) => void, items: Float32Array[]): number {
  const t = performance.now();
  items.forEach(fn);
  return (performance.now() - t) / items.length;
}
function interleave(cases: Record<string, () => number>): Record<string, number> {
  const times: Timed = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(cases)) (times[name] ??= []).push(fn());
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

// ---- STFT ------------------------------------------------------------------
log('bench: full STFT (window + FFT + magnitude + dB), 3,000 clips x 3 rounds');
const spec = new Float32Array(nBins * nFrames);
const frame = clips22[0]!.subarray(0, N_FFT);
const k = dsp.kernels;
const fftPlan = k.fftPlan(N_FFT);
const framePtr = k.alloc(N_FFT * 4), reP = k.alloc(nBins * 4), imP = k.alloc(nBins * 4);
dsp.heapF32(framePtr, N_FFT).set(frame);
const stft = interleave({
  'fft.js': () => perClip((x) => fftjs.stft.logMagnitude(x, spec), clips22),
  'pffft-simd': () => perClip((x) => pffft.stft.logMagnitude(x, spec), clips22),
  'specvae stftDb': () => perClip((x) => dsp.stftDb(x, { nFft: N_FFT, hop: HOP, topDb: null }, spec), clips22),
  'specvae batch': () => {
    const t = performance.now();
    dsp.spectrogramBatch(clips22, { nFft: N_FFT, hop: HOP, length: L22, topDb: 80, normalize: true });
    return (performance.now() - t) / clips22.length;
  },
  'fft only fft.js': () => { const t = performance.now(); for (let i = 0; i < 20000; i++) fftjs.fftOnly(frame); return (performance.now() - t) / 20000; },
  'fft only pffft': () => { const t = performance.now(); for (let i = 0; i < 20000; i++) pffft.fftOnly(frame); return (performance.now() - t) / 20000; },
  'fft only specvae': () => { const t = performance.now(); for (let i = 0; i < 20000; i++) k.rfft(fftPlan, framePtr, reP, imP); return (performance.now() - t) / 20000; },
});

// ---- Griffin-Lim -------------------------------------------------------------
log('bench: Griffin-Lim, 32 iterations, 257 x 64, 60 clips x 3 rounds');
const mags = clips22.slice(0, 60).map((x) => dsp.stftMagnitude(x, { nFft: N_FFT, hop: HOP }).data);
const gl = interleave({
  'fft.js': () => perClip((_, i) => fftjs.griffinLim(mags[i]!, { nIter: 32, momentum: 0.99, length: L22 }), mags),
  'pffft-simd': () => perClip((_, i) => pffft.griffinLim(mags[i]!, { nIter: 32, momentum: 0.99, length: L22 }), mags),
  specvae: () => perClip((_, i) => dsp.griffinLim({ data: mags[i]!, nBins, nFrames }, { nFft: N_FFT, hop: HOP, length: L22, init: 'zeros' }), mags),
});

// ---- resampling and the whole pipeline ------------------------------------------
log('bench: resampling 8 -> 22.05 kHz and the whole preprocessing, 3,000 clips x 3 rounds');
const whole = interleave({
  resample: () => perClip((x) => dsp.resample(x, 8000, SR), clips8),
  pipeline: () => {
    // decode + resample + pad + STFT + dB + top_db + normalise, for every clip, from bytes in memory.
    const t = performance.now();
    const signals = bytes.map((b, i) => {
      const x = decodeWav(b, { name: files[i] }).channels[0]!;
      return dsp.resample(x.subarray(0, Math.floor(0.74 * 8000)), 8000, SR);
    });
    dsp.spectrogramBatch(signals, { nFft: N_FFT, hop: HOP, length: L22, topDb: 80, normalize: true });
    return performance.now() - t;
  },
});

// ---- numpy / scipy in the same run ---------------------------------------------
let py: Record<string, number | string> | null = null;
try {
  const dir = mkdtempSync(join(tmpdir(), 'dsp-bench-'));
  const a = new Float32Array(300 * L22);
  clips22.slice(0, 300).forEach((c, i) => a.set(c, i * L22));
  writeFileSync(join(dir, 'c22.f32'), new Uint8Array(a.buffer));
  const sub8 = clips8.slice(0, 500);
  const flat = new Float32Array(sub8.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of sub8) { flat.set(c, o); o += c.length; }
  writeFileSync(join(dir, 'c8.f32'), new Uint8Array(flat.buffer));
  writeFileSync(join(dir, 'l8.i32'), new Uint8Array(Int32Array.from(sub8.map((c) => c.length)).buffer));
  log('bench: numpy/scipy reference (python3 bench/python_reference.py)');
  py = JSON.parse(execFileSync('python3', [join(here, 'python_reference.py'), join(dir, 'c22.f32'), join(dir, 'c8.f32'), join(dir, 'l8.i32')], { encoding: 'utf8' }));
  rmSync(dir, { recursive: true, force: true });
} catch (e) {
  log(`bench: numpy/scipy reference unavailable (${(e as Error).message.split('\n')[0]})`);
}

// ---- report -------------------------------------------------------------------------
const ours = stft['specvae stftDb']!;
const rows: string[][] = [
  ['Full STFT + dB, fft.js', fmt(stft['fft.js']!), fmt((nFrames / stft['fft.js']!) * 1000, 0), fmt(stft['fft.js']! / ours, 2) + 'x'],
  ['Full STFT + dB, pffft-simd', fmt(stft['pffft-simd']!), fmt((nFrames / stft['pffft-simd']!) * 1000, 0), fmt(stft['pffft-simd']! / ours, 2) + 'x'],
  ['Full STFT + dB, **specvae** (`stftDb`)', fmt(ours), fmt((nFrames / ours) * 1000, 0), '1x'],
  ['... **specvae** batch (+ top_db + normalise)', fmt(stft['specvae batch']!), fmt((nFrames / stft['specvae batch']!) * 1000, 0), fmt(stft['specvae batch']! / ours, 2) + 'x'],
];
if (py) rows.push(['Full STFT + dB, numpy ' + String(py.numpy), fmt(py.numpy_stft_db_ms as number), fmt((nFrames / (py.numpy_stft_db_ms as number)) * 1000, 0), fmt((py.numpy_stft_db_ms as number) / ours, 2) + 'x']);
const fftRows = [
  ['FFT 512 only, fft.js', fmt(stft['fft only fft.js']! * 1000, 2) + ' us'],
  ['FFT 512 only, pffft-simd', fmt(stft['fft only pffft']! * 1000, 2) + ' us'],
  ['FFT 512 only, specvae (scalar single-transform path)', fmt(stft['fft only specvae']! * 1000, 2) + ' us'],
];
const glRows = [
  ['fft.js', fmt(gl['fft.js']!, 2), fmt(gl['fft.js']! / gl.specvae!, 2) + 'x'],
  ['pffft-simd', fmt(gl['pffft-simd']!, 2), fmt(gl['pffft-simd']! / gl.specvae!, 2) + 'x'],
  ['**specvae**', fmt(gl.specvae!, 2), '1x'],
];
if (py) glRows.push(['numpy', fmt(py.numpy_griffinlim_ms as number, 2), fmt((py.numpy_griffinlim_ms as number) / gl.specvae!, 2) + 'x']);
const rsRows = [['**specvae** `resample` (filter designed once)', fmt(whole.resample!, 3), '1x']];
if (py) {
  rsRows.push(['scipy ' + String(py.scipy) + ' resample_poly', fmt(py.scipy_resample_poly_ms as number, 3), fmt((py.scipy_resample_poly_ms as number) / whole.resample!, 2) + 'x']);
  rsRows.push(['scipy upfirdn, filter designed once', fmt(py.scipy_upfirdn_ms as number, 3), fmt((py.scipy_upfirdn_ms as number) / whole.resample!, 2) + 'x']);
}
const table = (head: string[], body: string[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');

console.log(`\n### @specvae/dsp-wasm benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, SIMD ${dsp.simd}\n`);
console.log('All 3,000 FSDD clips, 16,317 samples at 22,050 Hz, n_fft 512, hop 256 (257 x 64); one core; median of 3 interleaved rounds.\n');
console.log(table(['STFT (window + FFT + magnitude + dB)', 'ms / clip', 'frames / s', 'time vs specvae'], rows));
console.log('\n' + table(['raw transform', 'time'], fftRows));
console.log('\n' + table(['Griffin-Lim, 32 iterations, momentum 0.99, 257 x 64', 'ms / clip', 'time vs specvae'], glRows));
console.log('\n' + table(['Resampling 8 kHz -> 22,050 Hz (all 3,000 clips, mean 3,490 samples in)', 'ms / clip', 'time vs specvae'], rsRows));
console.log(`\nWhole FSDD preprocessing (WAV decode + 0.74 s cut + resample + pad + STFT + dB + top_db + normalise, 3,000 clips, bytes in memory): **${fmt(whole.pipeline! / 1000, 2)} s** on one core.`);
console.log('\nTargets (issue 2): STFT >= 4x faster than fft.js and >= 2.5x faster than pffft-simd; Griffin-Lim >= 2.5x faster than pffft-simd; resampling <= 0.14 ms/clip; whole preprocessing < 1.5 s.');
console.log(`Measured: STFT ${fmt(stft['fft.js']! / ours, 2)}x vs fft.js, ${fmt(stft['pffft-simd']! / ours, 2)}x vs pffft; Griffin-Lim ${fmt(gl['pffft-simd']! / gl.specvae!, 2)}x vs pffft; resampling ${fmt(whole.resample!, 3)} ms/clip; preprocessing ${fmt(whole.pipeline! / 1000, 2)} s.`);
fftjs.dispose();
pffft.dispose();
