// pnpm bench: @specvae/dsp-wasm against the strongest JS and WASM FFT
// baselines (fft.js, @echogarden/pffft-wasm SIMD) and numpy/scipy, in one
// run, on all 3,000 FSDD clips in the original experiment's geometry
// (16,317 samples at 22,050 Hz, n_fft 512, hop 256 -> 257 x 64). Rounds are
// interleaved and the median of 3 (BENCH_ROUNDS) is reported; the machine is
// shared, so read the ratios, not the absolute numbers.
//
// Fairness. In V8, once any ArrayBuffer is detached or any WebAssembly memory
// grows in an isolate, an isolate-wide protector falls and the JS typed-array
// loops in it get slower for good (measured here: the baselines' Griffin-Lim
// ~30 %, their STFT ~5-10 %). tsx triggers it too (loading the CommonJS
// fft.js through its loader does), and our library grows its WASM memory
// whenever a call needs more than it has, so timing the baselines under tsx,
// or in our isolate, would handicap their JS parts. Hence:
// - each implementation runs in its OWN worker_threads isolate (worker.ts,
//   impl/*.ts); this thread only orchestrates: it decodes the data once and
//   shares it through SharedArrayBuffers, then asks one worker at a time to
//   run a timed task (so every measurement is single-core);
// - everything runs as plain JavaScript under plain node: `pnpm bench`
//   bundles this file, the worker and the implementations with esbuild
//   (bench/build.mjs) into dist-bench/ and runs node dist-bench/dsp.bench.mjs;
// - to show the size of the effect, two more workers load all three
//   implementations into one isolate, the old setup: one under plain node,
//   one with tsx's loader (`--import tsx`, as `tsx bench/dsp.bench.ts` ran),
//   and the JS baselines are timed there too, in the same rounds;
// - at the end each worker probes whether the fast path was still intact.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createDsp, decodeWav } from '../src/index.js';
import {
  GL_CLIPS, HOP, L22, N_BINS, N_FFT, N_FRAMES, SR, TASK_ORDER,
  type ImplName, type ProbeResult, type Reply, type Request, type SharedData, type TaskName, type WorkerInit,
} from './shared.js';

const fsddDir = process.env.FSDD_DIR ?? fileURLToPath(new URL('../../../../shared/fsdd', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be a positive integer');
const workerUrl = new URL('./worker.mjs', import.meta.url);
const pythonScript = fileURLToPath(new URL('../bench/python_reference.py', import.meta.url));

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

if (!existsSync(workerUrl)) {
  throw new Error(`${fileURLToPath(workerUrl)} not found: run the benchmark with \`pnpm bench\` (it bundles bench/ into dist-bench/ first)`);
}

// ---- data: decoded once here, shared with every worker ------------------------------
const dsp = await createDsp();
const files = readdirSync(fsddDir).filter((f) => f.endsWith('.wav')).sort();
const count = files.length;
log(`bench: ${count} FSDD files from ${fsddDir}`);
const bytes = files.map((f) => new Uint8Array(readFileSync(join(fsddDir, f))));
const decoded8 = bytes.map((b, i) => decodeWav(b, { name: files[i] }).channels[0]!);

function sharedF32(n: number): [SharedArrayBuffer, Float32Array] {
  const sab = new SharedArrayBuffer(n * 4);
  return [sab, new Float32Array(sab)];
}
function sharedI32(n: number): [SharedArrayBuffer, Int32Array] {
  const sab = new SharedArrayBuffer(n * 4);
  return [sab, new Int32Array(sab)];
}

// The original pipeline: keep int(0.74 * 8000) samples at 8 kHz, resample to 22,050 Hz, pad to 16,317.
const [clips22Sab, clips22Flat] = sharedF32(count * L22);
const clips22 = decoded8.map((x, i) => {
  const y = dsp.resample(x.subarray(0, Math.floor(0.74 * 8000)), 8000, SR);
  const out = clips22Flat.subarray(i * L22, (i + 1) * L22); // zero-initialised: the padding
  out.set(y.subarray(0, L22));
  return out;
});
// The whole decoded 8 kHz clips (resampling task).
const [offsets8Sab, offsets8] = sharedI32(count + 1);
for (let i = 0; i < count; i++) offsets8[i + 1] = offsets8[i]! + decoded8[i]!.length;
const [clips8Sab, clips8Flat] = sharedF32(offsets8[count]!);
decoded8.forEach((x, i) => clips8Flat.set(x, offsets8[i]!));
const clips8 = decoded8.map((_, i) => clips8Flat.subarray(offsets8[i]!, offsets8[i + 1]!));
// The WAV bytes (pipeline task), each file 8-byte aligned as a file of its own would be.
const [wavStartSab, wavStart] = sharedI32(count);
const [wavLengthSab, wavLength] = sharedI32(count);
let wavBytes = 0;
bytes.forEach((b, i) => {
  wavStart[i] = wavBytes;
  wavLength[i] = b.length;
  wavBytes += (b.length + 7) & ~7;
});
const wavSab = new SharedArrayBuffer(wavBytes);
bytes.forEach((b, i) => new Uint8Array(wavSab, wavStart[i]!, b.length).set(b));
// Griffin-Lim inputs: |STFT| of the first clips.
const perSpec = N_BINS * N_FRAMES;
const [magsSab, magsFlat] = sharedF32(GL_CLIPS * perSpec);
for (let i = 0; i < GL_CLIPS; i++) dsp.stftMagnitude(clips22[i]!, { nFft: N_FFT, hop: HOP }, magsFlat.subarray(i * perSpec, (i + 1) * perSpec));

const shared: SharedData = {
  count,
  names: files,
  clips22: clips22Sab,
  clips8: clips8Sab,
  offsets8: offsets8Sab,
  wav: wavSab,
  wavStart: wavStartSab,
  wavLength: wavLengthSab,
  mags: magsSab,
};

// ---- workers ---------------------------------------------------------------------
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Call = WithoutId<Request>;

class BenchWorker {
  readonly ready: Promise<Record<string, string>>;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private settleReady: { resolve: (v: Record<string, string>) => void; reject: (e: Error) => void } | null = null;

  constructor(readonly name: string, impls: ImplName[], execArgv: string[] = []) {
    this.ready = new Promise((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.ready.catch(() => {}); // reported when awaited
    const init: WorkerInit = { impls, data: shared };
    this.worker = new Worker(workerUrl, { workerData: init, execArgv });
    this.worker.on('message', (m: Reply) => {
      if (m.kind === 'ready' || m.kind === 'load-failed') {
        if (m.kind === 'ready') this.settleReady?.resolve(m.labels);
        else this.settleReady?.reject(new Error(`worker ${this.name} failed to load: ${m.error}`));
        this.settleReady = null;
        return;
      }
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (m.kind === 'error') p.reject(new Error(`worker ${this.name}: ${m.error}`));
      else p.resolve(m.value);
    });
    const fail = (e: Error): void => {
      this.settleReady?.reject(e);
      this.settleReady = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new Error(`worker ${this.name}: ${e.stack ?? e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`worker ${this.name} exited (code ${code})`)));
  }

  call<T>(req: Call): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

// tsx's loader, for the old-setup comparison only.
let tsxLoader: string | null = null;
try {
  tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
} catch {
  log('bench: tsx not found: the old setup under tsx is not reproduced');
}
const workers = {
  specvae: new BenchWorker('specvae', ['specvae']),
  fftjs: new BenchWorker('fft.js', ['fftjs']),
  pffft: new BenchWorker('pffft-simd', ['pffft']),
  // For comparison only: the old setup, everything in one isolate (specvae first,
  // so its warm-up would grow its memory first), under plain node and under tsx.
  same: new BenchWorker('same isolate', ['specvae', 'fftjs', 'pffft']),
  tsx: tsxLoader === null ? null : new BenchWorker('same isolate + tsx', ['specvae', 'fftjs', 'pffft'], ['--import', tsxLoader]),
};
const allWorkers = Object.values(workers).filter((w): w is BenchWorker => w !== null);

/** A timed participant: an implementation in a worker. */
interface Slot {
  key: string;
  worker: BenchWorker;
  impl: ImplName;
}
const slots: Slot[] = [
  { key: 'specvae', worker: workers.specvae, impl: 'specvae' },
  { key: 'fft.js', worker: workers.fftjs, impl: 'fftjs' },
  { key: 'pffft-simd', worker: workers.pffft, impl: 'pffft' },
  { key: 'fft.js/same', worker: workers.same, impl: 'fftjs' },
  { key: 'pffft-simd/same', worker: workers.same, impl: 'pffft' },
];
if (workers.tsx !== null) {
  slots.push({ key: 'fft.js/tsx', worker: workers.tsx, impl: 'fftjs' }, { key: 'pffft-simd/tsx', worker: workers.tsx, impl: 'pffft' });
}
const TASKS_OF: Record<ImplName, readonly TaskName[]> = {
  specvae: TASK_ORDER,
  fftjs: ['stft', 'fft', 'gl'],
  pffft: ['stft', 'fft', 'gl'],
};

const times = new Map<string, number[]>();
const probes = new Map<string, ProbeResult>();
try {
  const ready = await Promise.all(allWorkers.map((w) => w.ready));
  log(`bench: implementations: ${[...new Set(ready.flatMap((l) => Object.values(l)))].join(', ')}`);
  log(`bench: ${allWorkers.length} worker isolates ready (${allWorkers.map((w) => w.name).join(', ')}); data shared: ${((clips22Sab.byteLength + clips8Sab.byteLength + wavSab.byteLength + magsSab.byteLength) / 2 ** 20).toFixed(0)} MiB`);

  // ---- agreement before timing (each computed by the code that is timed, in its own worker) ----
  {
    const clip = Math.min(1234, count - 1);
    const [ours, a, b] = await Promise.all([
      workers.specvae.call<Float32Array>({ cmd: 'db', impl: 'specvae', clip }),
      workers.fftjs.call<Float32Array>({ cmd: 'db', impl: 'fftjs', clip }),
      workers.pffft.call<Float32Array>({ cmd: 'db', impl: 'pffft', clip }),
    ]);
    let ea = 0, eb = 0;
    for (let i = 0; i < ours.length; i++) {
      if (a[i]! > -60) ea = Math.max(ea, Math.abs(ours[i]! - a[i]!));
      if (b[i]! > -60) eb = Math.max(eb, Math.abs(ours[i]! - b[i]!));
    }
    log(`bench: dB agreement on bins above -60 dB: vs fft.js ${ea.toExponential(2)} dB, vs pffft ${eb.toExponential(2)} dB`);
  }

  // ---- warm-up: one untimed pass of every task, one worker at a time ----------------
  for (const w of allWorkers) {
    const ms = await w.call<number>({ cmd: 'warmup' });
    log(`bench: untimed warm-up pass in worker "${w.name}": ${(ms / 1000).toFixed(1)} s`);
  }

  // ---- interleaved rounds -------------------------------------------------------------
  log(`bench: ${ROUNDS} interleaved rounds of: full STFT + dB (${count} clips), FFT 512 only, Griffin-Lim 32 it. (${GL_CLIPS} clips), resampling and the whole pipeline (${count} clips)`);
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (const task of TASK_ORDER) {
      for (const s of slots) {
        if (!TASKS_OF[s.impl].includes(task)) continue;
        const ms = await s.worker.call<number>({ cmd: 'run', impl: s.impl, task });
        const key = `${s.key}|${task}`;
        const list = times.get(key) ?? [];
        list.push(ms);
        times.set(key, list);
      }
    }
    log(`bench: round ${r + 1}/${ROUNDS} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }

  // ---- was the typed-array fast path intact in each isolate while it was timed? --------------
  for (const w of allWorkers) probes.set(w.name, await w.call<ProbeResult>({ cmd: 'probe' }));
} finally {
  await Promise.all(allWorkers.map((w) => w.terminate()));
}
const med = (key: string, task: TaskName): number => median(times.get(`${key}|${task}`)!);
const hasTsx = workers.tsx !== null;

// ---- numpy / scipy in the same run ---------------------------------------------
let py: Record<string, number | string> | null = null;
try {
  const dir = mkdtempSync(join(tmpdir(), 'dsp-bench-'));
  const n22 = Math.min(300, count);
  writeFileSync(join(dir, 'c22.f32'), new Uint8Array(clips22Flat.slice(0, n22 * L22).buffer));
  const sub8 = clips8.slice(0, 500);
  const flat = new Float32Array(sub8.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of sub8) { flat.set(c, o); o += c.length; }
  writeFileSync(join(dir, 'c8.f32'), new Uint8Array(flat.buffer));
  writeFileSync(join(dir, 'l8.i32'), new Uint8Array(Int32Array.from(sub8.map((c) => c.length)).buffer));
  log('bench: numpy/scipy reference (python3 bench/python_reference.py)');
  py = JSON.parse(execFileSync('python3', [pythonScript, join(dir, 'c22.f32'), join(dir, 'c8.f32'), join(dir, 'l8.i32')], { encoding: 'utf8' }));
  rmSync(dir, { recursive: true, force: true });
} catch (e) {
  log(`bench: numpy/scipy reference unavailable (${(e as Error).message.split('\n')[0]})`);
}

// ---- report -------------------------------------------------------------------------
const stft = {
  fftjs: med('fft.js', 'stft'), pffft: med('pffft-simd', 'stft'), ours: med('specvae', 'stft'), batch: med('specvae', 'batch'),
};
const fft = { fftjs: med('fft.js', 'fft'), pffft: med('pffft-simd', 'fft'), ours: med('specvae', 'fft') };
const gl = { fftjs: med('fft.js', 'gl'), pffft: med('pffft-simd', 'gl'), ours: med('specvae', 'gl') };
const resample = med('specvae', 'resample');
const pipeline = med('specvae', 'pipeline');
const fps = (ms: number): string => fmt((N_FRAMES / ms) * 1000, 0);
const x = (a: number, b: number): string => fmt(a / b, 2) + 'x';

const ours = stft.ours;
const rows: string[][] = [
  ['Full STFT + dB, fft.js', fmt(stft.fftjs), fps(stft.fftjs), x(stft.fftjs, ours)],
  ['Full STFT + dB, pffft-simd', fmt(stft.pffft), fps(stft.pffft), x(stft.pffft, ours)],
  ['Full STFT + dB, **specvae** (`stftDb`)', fmt(ours), fps(ours), '1x'],
  ['... **specvae** batch (+ top_db + normalise)', fmt(stft.batch), fps(stft.batch), x(stft.batch, ours)],
];
if (py) rows.push(['Full STFT + dB, numpy ' + String(py.numpy), fmt(py.numpy_stft_db_ms as number), fps(py.numpy_stft_db_ms as number), x(py.numpy_stft_db_ms as number, ours)]);
const fftRows = [
  ['FFT 512 only, fft.js', fmt(fft.fftjs * 1000, 2) + ' us'],
  ['FFT 512 only, pffft-simd', fmt(fft.pffft * 1000, 2) + ' us'],
  ['FFT 512 only, specvae (scalar single-transform path)', fmt(fft.ours * 1000, 2) + ' us'],
];
const glRows = [
  ['fft.js', fmt(gl.fftjs, 2), x(gl.fftjs, gl.ours)],
  ['pffft-simd', fmt(gl.pffft, 2), x(gl.pffft, gl.ours)],
  ['**specvae**', fmt(gl.ours, 2), '1x'],
];
if (py) glRows.push(['numpy', fmt(py.numpy_griffinlim_ms as number, 2), x(py.numpy_griffinlim_ms as number, gl.ours)]);
const rsRows = [['**specvae** `resample` (filter designed once)', fmt(resample, 3), '1x']];
if (py) {
  rsRows.push(['scipy ' + String(py.scipy) + ' resample_poly', fmt(py.scipy_resample_poly_ms as number, 3), x(py.scipy_resample_poly_ms as number, resample)]);
  rsRows.push(['scipy upfirdn, filter designed once', fmt(py.scipy_upfirdn_ms as number, 3), x(py.scipy_upfirdn_ms as number, resample)]);
}
// The same JS baselines (same bundles) timed the old way: in one isolate with specvae, under plain node and under tsx.
const pct = (a: number, b: number): string => `${a >= b ? '+' : ''}${fmt((a / b - 1) * 100, 0)} %`;
const oldHead = ['JS baseline', 'own isolate', 'same isolate as specvae', 'slowdown'];
if (hasTsx) oldHead.push('same isolate + tsx (old setup)', 'slowdown');
oldHead.push('vs specvae, own isolate', `vs specvae, ${hasTsx ? 'old setup' : 'same isolate'}`);
const oldRows: string[][] = [];
for (const key of ['fft.js', 'pffft-simd'] as const) {
  const what: [TaskName, string, number, number, number][] = [
    ['stft', 'STFT + dB, ms / clip', ours, 1, 3],
    ['gl', 'Griffin-Lim, ms / clip', gl.ours, 1, 2],
    ['fft', 'FFT 512 only, us', fft.ours, 1000, 2],
  ];
  for (const [task, label, ref, scale, digits] of what) {
    const own = med(key, task), same = med(`${key}/same`, task);
    const row = [`${key}, ${label}`, fmt(own * scale, digits), fmt(same * scale, digits), pct(same, own)];
    const old = hasTsx ? med(`${key}/tsx`, task) : same;
    if (hasTsx) row.push(fmt(old * scale, digits), pct(old, own));
    row.push(x(own, ref), x(old, ref));
    oldRows.push(row);
  }
}
const probeText = allWorkers.map((w) => {
  const p = probes.get(w.name)!;
  const ratio = p.after / p.before;
  return `${w.name}: ${ratio > 1.3 ? 'intact' : 'lost'} (${fmt(ratio, 2)}x)`;
}).join(', ');

const table = (head: string[], body: string[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const nClips = count.toLocaleString('en-US');

console.log(`\n### @specvae/dsp-wasm benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, SIMD ${dsp.simd}\n`);
console.log(`All ${nClips} FSDD clips, 16,317 samples at 22,050 Hz, n_fft 512, hop 256 (257 x 64); each implementation in its own worker_threads isolate, plain node on esbuild bundles, one computing at a time (one core); median of ${ROUNDS} interleaved rounds after an untimed warm-up pass.\n`);
console.log(table(['STFT (window + FFT + magnitude + dB)', 'ms / clip', 'frames / s', 'time vs specvae'], rows));
console.log('\n' + table(['raw transform', 'time'], fftRows));
console.log('\n' + table(['Griffin-Lim, 32 iterations, momentum 0.99, 257 x 64', 'ms / clip', 'time vs specvae'], glRows));
console.log('\n' + table([`Resampling 8 kHz -> 22,050 Hz (all ${nClips} clips, mean ${Math.round(offsets8[count]! / count).toLocaleString('en-US')} samples in)`, 'ms / clip', 'time vs specvae'], rsRows));
console.log(`\nWhole FSDD preprocessing (WAV decode + 0.74 s cut + resample + pad + STFT + dB + top_db + normalise, ${nClips} clips, bytes in memory): **${fmt(pipeline / 1000, 2)} s** on one core.`);
console.log(
  '\nThe old way, for comparison (same bundles, same rounds): the JS baselines timed in one isolate with specvae, under plain node' +
    (hasTsx ? ' and with tsx\'s loader (`--import tsx`, as the old `tsx bench/dsp.bench.ts`)' : '') +
    ". What costs them is V8's isolate-wide typed-array fast path being switched off (an ArrayBuffer detach or a WASM memory growth anywhere in the isolate does it; so does tsx), not the sharing itself:\n",
);
console.log(table(oldHead, oldRows));
console.log(`\nV8 typed-array fast path at the end of the run, per isolate (a probe loop's slowdown after a deliberate detach: ~2x if the fast path was still on, ~1x if already off): ${probeText}.`);
console.log('\nTargets (issue 2): STFT >= 4x faster than fft.js and >= 2.5x faster than pffft-simd; Griffin-Lim >= 2.5x faster than pffft-simd; resampling <= 0.14 ms/clip; whole preprocessing < 1.5 s.');
console.log(`Measured: STFT ${x(stft.fftjs, ours)} vs fft.js, ${x(stft.pffft, ours)} vs pffft; Griffin-Lim ${x(gl.pffft, gl.ours)} vs pffft; resampling ${fmt(resample, 3)} ms/clip; preprocessing ${fmt(pipeline / 1000, 2)} s.`);
