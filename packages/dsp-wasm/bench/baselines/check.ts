/**
 * Validate the fft.js and pffft-wasm baselines against numpy, then time them.
 *
 *   cd packages/dsp-wasm && npx tsx bench/baselines/check.ts [--no-timing]
 *
 * Numerics: a float32 test signal is written to a temp dir; `python3 -c`
 * (numpy + scipy) computes the reference librosa-style STFT in float64
 * (center=True, zero padding, periodic Hann padded to nFft, rfft), |X|,
 * 20*log10(max(1e-5, |X|)) and the top_db=80 clip, plus a float64 numpy port
 * of librosa 0.10's fast Griffin-Lim. Criteria: max |dMag| / max|X| <= 1e-4,
 * max |d dB| <= 1e-3 where |X| > 1e-3, Griffin-Lim output within 1e-3
 * relative L2 of numpy's. Exit code 1 if any criterion fails. For context it
 * also scores numpy's own float32 rfft against the same reference: the dB bound
 * at |X| ~ 1e-3 is finer than float32 resolution next to loud bins (see the
 * "holds for |X| >" column).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Baseline } from './common.js';
import { createFftJsBaseline } from './fftjs.js';
import { createPffftBaseline } from './pffft.js';

const SAMPLE_RATE = 22050;
const CLIP_SAMPLES = 16317;
const MAG_TOL = 1e-4;
const DB_TOL = 1e-3;
const DB_MIN_MAG = 1e-3;
const GL_TOL = 1e-3;

const PY_REFERENCE = String.raw`
import sys, json
import numpy as np
from scipy.signal import get_window

mode = sys.argv[1]
sig_path, n_fft, hop, win = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(sig_path, dtype='<f4').astype(np.float64)
w = np.zeros(n_fft)
lp = (n_fft - win) // 2
w[lp:lp + win] = get_window('hann', win, fftbins=True)
half = n_fft // 2

def stft(y, win=w):
    yp = np.pad(y, half, mode='constant')
    n_frames = 1 + (len(yp) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    return np.fft.rfft(yp[idx] * win, axis=1).T  # (bins, frames)

def istft(X, length):
    n_frames = min(X.shape[1], 1 + (length + 2 * half) // hop)
    frames = np.fft.irfft(X[:, :n_frames].T, n=n_fft, axis=1) * w
    n = n_fft + hop * (n_frames - 1)
    y = np.zeros(max(n, length + half))
    wss = np.zeros_like(y)
    for t in range(n_frames):
        y[t * hop:t * hop + n_fft] += frames[t]
        wss[t * hop:t * hop + n_fft] += w * w
    y = y[half:half + length]
    wss = wss[half:half + length]
    nz = wss > np.finfo(np.float32).tiny
    y[nz] /= wss[nz]
    return y

if mode == 'stft':
    mag = np.abs(stft(x))
    db = 20.0 * np.log10(np.maximum(1e-5, mag))
    clip = np.maximum(db, db.max() - 80.0)
    # Context only: the same STFT with numpy's own single-precision FFT (numpy >= 2 keeps float32 input in float32).
    mag32 = np.abs(stft(x.astype(np.float32), w.astype(np.float32))).astype(np.float64)
    np.stack([mag, db, clip, mag32]).astype('<f8').tofile(sys.argv[6])
    print(json.dumps({'bins': mag.shape[0], 'frames': mag.shape[1]}))
elif mode == 'gl':
    mag_path, length, n_iter, momentum, out_path = sys.argv[6], int(sys.argv[7]), int(sys.argv[8]), float(sys.argv[9]), sys.argv[10]
    cand_paths = sys.argv[11:]
    n_bins = n_fft // 2 + 1
    S = np.fromfile(mag_path, dtype='<f4').astype(np.float64).reshape(n_bins, -1)
    tiny = np.finfo(np.float32).tiny
    angles = S.astype(np.complex128)
    tprev = None
    for _ in range(n_iter):
        rebuilt = stft(istft(angles, length))
        a = rebuilt.copy()
        if tprev is not None:
            a -= (momentum / (1.0 + momentum)) * tprev
        a /= np.abs(a) + tiny
        angles = a * S
        tprev = rebuilt
    y_ref = istft(angles, length)
    y_ref.astype('<f8').tofile(out_path)
    def sc(y):
        return float(np.linalg.norm(np.abs(stft(y)) - S) / np.linalg.norm(S))
    print(json.dumps({'sc_ref': sc(y_ref),
                      'sc': [sc(np.fromfile(p, dtype='<f4').astype(np.float64)) for p in cand_paths]}))
`;

function python(args: string[]): string {
  return execFileSync('python3', ['-c', PY_REFERENCE, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

function readF64(path: string): Float64Array {
  const buf = readFileSync(path);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function writeF32(path: string, data: Float32Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Deterministic xorshift32 in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2147483648 - 1;
  };
}

/**
 * Speech-like clip: a gliding harmonic source (f0 110 -> 190 Hz, 1/h tilt) with
 * vibrato, two "syllable" envelopes, a breath-noise burst, faint background
 * noise, and an exactly silent gap (exercises the 1e-5 amplitude floor).
 */
function makeTestSignal(n: number, sr: number): Float32Array {
  const x = new Float32Array(n);
  const rand = rng(0x5eed);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const f0 = 110 + 80 * (i / n) + 4 * Math.sin(2 * Math.PI * 5.5 * t);
    phase += (2 * Math.PI * f0) / sr;
    let v = 0;
    for (let h = 1; h <= 40 && h * f0 < sr / 2; h++) v += Math.sin(h * phase + 0.3 * h) / h;
    const u = i / n;
    const env = Math.exp(-(((u - 0.25) / 0.1) ** 2)) + 0.7 * Math.exp(-(((u - 0.7) / 0.12) ** 2));
    const breath = Math.exp(-(((u - 0.48) / 0.03) ** 2));
    x[i] = 0.3 * env * v + 0.05 * breath * rand() + 3e-4 * rand();
  }
  x.fill(0, Math.floor(0.53 * n), Math.floor(0.56 * n));
  return x;
}

interface StftErrors {
  magRel: number;
  dbMax: number;
  dbCount: number;
  /** The 1e-3 dB bound holds for every bin with |X| above this (largest |X| among violating bins). */
  dbHoldsAbove: number;
  clipMax: number;
}

function dbOf(m: number): number {
  return 20 * Math.log10(Math.max(1e-5, m));
}

/** Errors of (mag, db) against the float64 reference; db is clipped in place when `clip` is given. */
function errorsOf(
  mag: ArrayLike<number>,
  db: Float32Array | null,
  ref: Float64Array,
  size: number,
  clip: ((db: Float32Array) => void) | null,
): StftErrors {
  let refMax = 0;
  for (let i = 0; i < size; i++) refMax = Math.max(refMax, ref[i]!);
  let magErr = 0;
  let dbMax = 0;
  let dbCount = 0;
  let dbHoldsAbove = DB_MIN_MAG;
  for (let i = 0; i < size; i++) {
    const r = ref[i]!;
    magErr = Math.max(magErr, Math.abs(mag[i]! - r));
    if (r > DB_MIN_MAG) {
      const e = Math.abs((db === null ? dbOf(mag[i]!) : db[i]!) - ref[size + i]!);
      dbMax = Math.max(dbMax, e);
      dbCount++;
      if (e > DB_TOL) dbHoldsAbove = Math.max(dbHoldsAbove, r);
    }
  }
  let clipMax = NaN;
  if (db !== null && clip !== null) {
    clip(db);
    clipMax = 0;
    for (let i = 0; i < size; i++) clipMax = Math.max(clipMax, Math.abs(db[i]! - ref[2 * size + i]!));
  }
  return { magRel: magErr / refMax, dbMax, dbCount, dbHoldsAbove, clipMax };
}

function stftErrors(b: Baseline, x: Float32Array, ref: Float64Array, size: number): StftErrors {
  const mag = new Float32Array(size);
  const db = new Float32Array(size);
  b.stft.magnitude(x, mag);
  b.stft.logMagnitude(x, db);
  return errorsOf(mag, db, ref, size, (d) => b.stft.clipTopDb(d, 80));
}

function fmt(v: number): string {
  return v.toExponential(2);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median ms per call of fn over `batches` batches, each sized to take ~targetMs. */
function timeIt(fn: () => void, targetMs: number, batches = 7): number {
  const t0 = performance.now();
  let probe = 0;
  while (performance.now() - t0 < 20 || probe < 2) {
    fn();
    probe++;
  }
  const per = (performance.now() - t0) / probe;
  const reps = Math.max(1, Math.round(targetMs / per));
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const s = performance.now();
    for (let r = 0; r < reps; r++) fn();
    out.push((performance.now() - s) / reps);
  }
  return median(out);
}

async function main(): Promise<void> {
  const doTiming = !process.argv.includes('--no-timing');
  const dir = mkdtempSync(join(tmpdir(), 'specvae-baselines-'));
  const failures: string[] = [];
  const verdict = (pass: boolean, what: string): string => {
    if (!pass) failures.push(what);
    return pass ? 'PASS' : 'FAIL';
  };
  try {
    const x = makeTestSignal(CLIP_SAMPLES, SAMPLE_RATE);
    const sigPath = join(dir, 'signal.f32');
    writeF32(sigPath, x);

    // Benchmark geometry first, then one with winLength < nFft and an odd hop.
    const geometries = [
      { nFft: 512, hop: 256, winLength: 512 },
      { nFft: 512, hop: 160, winLength: 400 },
    ];
    console.log(`signal: ${CLIP_SAMPLES} samples @ ${SAMPLE_RATE} Hz (speech-like, float32)`);
    for (const geo of geometries) {
      const baselines = [
        await createFftJsBaseline(geo.nFft, geo),
        await createPffftBaseline(geo.nFft, geo),
      ];
      const refPath = join(dir, `ref-${geo.hop}-${geo.winLength}.f64`);
      const info = JSON.parse(python(['stft', sigPath, `${geo.nFft}`, `${geo.hop}`, `${geo.winLength}`, refPath])) as {
        bins: number;
        frames: number;
      };
      const ref = readF64(refPath);
      const { bins, frames } = info;
      const ours = baselines[0]!.stft.frameCount(x.length);
      console.log(`\nSTFT nFft=${geo.nFft} hop=${geo.hop} win=${geo.winLength}: numpy ${bins}x${frames}, ours ${baselines[0]!.stft.nBins}x${ours}`);
      if (bins !== baselines[0]!.stft.nBins || frames !== ours) {
        console.log('  shape mismatch: FAIL');
        failures.push(`STFT shape ${geo.nFft}/${geo.hop}/${geo.winLength}`);
        continue;
      }
      const size = bins * frames;
      let refMax = 0;
      for (let i = 0; i < size; i++) refMax = Math.max(refMax, ref[i]!);
      console.log(`  max|X| = ${refMax.toFixed(2)}; criteria: max|dMag|/max|X| <= ${MAG_TOL}, max|d dB| <= ${DB_TOL} where |X| > ${DB_MIN_MAG}`);
      const tag = `${geo.nFft}/${geo.hop}/${geo.winLength}`;
      const row = (name: string, e: StftErrors, judge: boolean): void => {
        const v = (pass: boolean, what: string): string =>
          judge ? verdict(pass, `${name} ${what} (${tag})`) : pass ? 'would pass' : 'would fail';
        console.log(
          `  ${name.padEnd(30)} mag ${fmt(e.magRel)} [${v(e.magRel <= MAG_TOL, 'magnitude')}]` +
            `  dB (n=${e.dbCount}) ${fmt(e.dbMax)} [${v(e.dbMax <= DB_TOL, 'dB')}; holds for |X| > ${e.dbHoldsAbove.toPrecision(2)}]` +
            (Number.isNaN(e.clipMax) ? '' : `  top_db=80 clipped, all bins: ${fmt(e.clipMax)} dB`),
        );
      };
      for (const b of baselines) row(b.name, stftErrors(b, x, ref, size), true);
      // Context: numpy's own float32 rfft against the same float64 reference.
      row('(context) numpy rfft float32', errorsOf(ref.subarray(3 * size, 4 * size), null, ref, size, null), false);

      // Griffin-Lim from the reference magnitude (same float32 input for everyone).
      const mag = new Float32Array(size);
      for (let i = 0; i < size; i++) mag[i] = ref[i]!;
      const magPath = join(dir, 'mag.f32');
      writeF32(magPath, mag);
      const outs = baselines.map((b) => b.griffinLim(mag, { nIter: 32, momentum: 0.99, length: x.length }));
      const candPaths = outs.map((y, i) => {
        const p = join(dir, `gl-${i}.f32`);
        writeF32(p, y);
        return p;
      });
      const glRefPath = join(dir, 'gl-ref.f64');
      const gl = JSON.parse(
        python(['gl', sigPath, `${geo.nFft}`, `${geo.hop}`, `${geo.winLength}`, magPath, `${x.length}`, '32', '0.99', glRefPath, ...candPaths]),
      ) as { sc_ref: number; sc: number[] };
      const yRef = readF64(glRefPath);
      console.log(`  Griffin-Lim 32 it, momentum 0.99, zero-phase init; numpy spectral convergence ${gl.sc_ref.toFixed(4)}`);
      outs.forEach((y, i) => {
        let num = 0;
        let den = 0;
        for (let j = 0; j < y.length; j++) {
          num += (y[j]! - yRef[j]!) ** 2;
          den += yRef[j]! ** 2;
        }
        const rel = Math.sqrt(num / den);
        console.log(
          `  ${baselines[i]!.name.padEnd(26)} GL rel L2 vs numpy ${fmt(rel)} [${verdict(rel <= GL_TOL, `${baselines[i]!.name} Griffin-Lim (${tag})`)} <= ${GL_TOL}]` +
            `  spectral convergence ${gl.sc[i]!.toFixed(4)}`,
        );
      });
      for (const b of baselines) b.dispose();
    }

    if (failures.length === 0) {
      console.log('\nnumerics: ALL CRITERIA HOLD for both baselines');
    } else {
      console.log(`\nnumerics: FAILED: ${failures.join('; ')}`);
      console.log(
        '  A dB failure confined to the low bins of a single-precision FFT is float32 round-off (absolute error\n' +
          '  ~1e-7..1e-6 next to peaks of ~30-40 here), not a framing/window/dB bug: compare the "holds for |X| >"\n' +
          "  column and numpy's own float32 rfft (context row), which misses the same bound.",
      );
    }

    if (doTiming) {
      console.log('\ntiming (benchmark geometry 257x64, single thread, median of 7 batches; shared machine, indicative only)');
      console.log(
        '  note: under tsx (or after any ArrayBuffer detach / WASM memory.grow in the process) V8 adds detach checks\n' +
          '  to typed-array accesses; JS loops then run ~25-30% slower than under plain node with compiled JS.',
      );
      const baselines = [await createFftJsBaseline(512), await createPffftBaseline(512)];
      const nFrames = baselines[0]!.stft.frameCount(x.length);
      const db = new Float32Array(257 * nFrames);
      const mag = new Float32Array(257 * nFrames);
      baselines[1]!.stft.magnitude(x, mag);
      const frame = x.subarray(4096, 4096 + 512);
      const rows: string[] = [];
      for (const b of baselines) {
        const stftMs = timeIt(() => b.stft.logMagnitude(x, db), 200);
        const glMs = timeIt(() => b.griffinLim(mag, { nIter: 32, momentum: 0.99, length: x.length }), 300, 5);
        const fftMs = timeIt(() => {
          for (let t = 0; t < nFrames; t++) b.fftOnly(frame);
        }, 100);
        rows.push(
          `  ${b.name.padEnd(26)} STFT->dB ${stftMs.toFixed(3)} ms/clip   GL(32) ${glMs.toFixed(2)} ms/clip   FFT only ${fftMs.toFixed(4)} ms/clip (${((fftMs / nFrames) * 1000).toFixed(2)} us/frame)`,
        );
      }
      console.log(rows.join('\n'));
      for (const b of baselines) b.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) process.exitCode = 1;
}

await main();
