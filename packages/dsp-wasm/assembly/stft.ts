// Short-time Fourier transform on an already padded signal, and its inverse
// (overlap-add). Spectra are bin-major: element (bin k, frame t) is at
// index k * nFrames + t, as librosa's S[k, t]. With SIMD, four consecutive
// frames travel together, one per lane, so a bin's four values are one
// contiguous 16-byte store.

import { alloc, mark, release } from './arena';
import { planM, revTable, complexFft, realForwardSplit, realInverseSplit } from './fft';
import { vadd, vmul, vsqrt, vmax, vsplat, lanes } from './lanes';
import { log2x4 } from './fastmath';

export const EMIT_COMPLEX: i32 = 0;
export const EMIT_MAGNITUDE: i32 = 1;
export const EMIT_POWER: i32 = 2;
/** 20 * log10(max(amin, |X|)), i.e. amplitude_to_db with ref 1 and no top_db. */
export const EMIT_DB: i32 = 3;

const TEN_LOG10_2: f32 = 3.0102999566398120;

/** Writes the `valid` leading lanes of v to dst (contiguous f32). */
// @ts-ignore: decorator
@inline function storeLanes<T>(dst: usize, v: T, valid: i32, tmp: usize): void {
  if (isVector<T>()) {
    if (valid == 4) v128.store(dst, v);
    else {
      v128.store(tmp, v);
      memory.copy(dst, tmp, <usize>valid << 2);
    }
  } else {
    store<T>(dst, v);
  }
}

function emit<T>(xr: usize, xi: usize, nBins: i32, mode: i32, amin: f32, outA: usize, outB: usize, rowBytes: usize, col: i32, valid: i32, tmp: usize): void {
  const es = <usize>sizeof<T>();
  const colOff = <usize>col << 2;
  if (mode == EMIT_COMPLEX) {
    for (let k = 0; k < nBins; k++) {
      const o = <usize>k * rowBytes + colOff;
      storeLanes<T>(outA + o, load<T>(xr + <usize>k * es), valid, tmp);
      storeLanes<T>(outB + o, load<T>(xi + <usize>k * es), valid, tmp);
    }
    return;
  }
  const amin2 = vsplat<T>(amin * amin);
  for (let k = 0; k < nBins; k++) {
    const r = load<T>(xr + <usize>k * es), i = load<T>(xi + <usize>k * es);
    const p = vadd<T>(vmul<T>(r, r), vmul<T>(i, i));
    let v: T;
    if (mode == EMIT_MAGNITUDE) v = vsqrt<T>(p);
    else if (mode == EMIT_POWER) v = p;
    else {
      const q = vmax<T>(p, amin2);
      if (isVector<T>()) v = f32x4.mul(log2x4(q), f32x4.splat(TEN_LOG10_2));
      else v = (<f32>10.0 * Mathf.log10(q as f32)) as T;
    }
    storeLanes<T>(outA + <usize>k * rowBytes + colOff, v, valid, tmp);
  }
}

function stftFrames<T>(plan: usize, sig: usize, hop: i32, nFrames: i32, win: usize, mode: i32, amin: f32, outA: usize, outB: usize): void {
  const m = planM(plan);
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  const rv = revTable(plan);
  const saved = mark();
  const zr = alloc(<usize>m * es), zi = alloc(<usize>m * es);
  const xr = alloc(<usize>(m + 1) * es), xi = alloc(<usize>(m + 1) * es);
  const tmp = alloc(16);
  const rowBytes = <usize>nFrames << 2;
  for (let t0 = 0; t0 < nFrames; t0 += L) {
    const valid = min(L, nFrames - t0);
    if (isVector<T>()) {
      // Lanes past the last frame repeat it; their results are not stored.
      const s0 = sig + (<usize>(t0 * hop) << 2);
      const s1 = sig + (<usize>(min(t0 + 1, nFrames - 1) * hop) << 2);
      const s2 = sig + (<usize>(min(t0 + 2, nFrames - 1) * hop) << 2);
      const s3 = sig + (<usize>(min(t0 + 3, nFrames - 1) * hop) << 2);
      for (let n = 0; n < m; n++) {
        const o = <usize>n << 3;
        let ve = f32x4.splat(load<f32>(s0 + o));
        ve = f32x4.replace_lane(ve, 1, load<f32>(s1 + o));
        ve = f32x4.replace_lane(ve, 2, load<f32>(s2 + o));
        ve = f32x4.replace_lane(ve, 3, load<f32>(s3 + o));
        let vo = f32x4.splat(load<f32>(s0 + o, 4));
        vo = f32x4.replace_lane(vo, 1, load<f32>(s1 + o, 4));
        vo = f32x4.replace_lane(vo, 2, load<f32>(s2 + o, 4));
        vo = f32x4.replace_lane(vo, 3, load<f32>(s3 + o, 4));
        const r = <usize>load<i32>(rv + (<usize>n << 2)) << 4;
        v128.store(zr + r, f32x4.mul(ve, v128.load32_splat(win + o)));
        v128.store(zi + r, f32x4.mul(vo, v128.load32_splat(win + o + 4)));
      }
    } else {
      const s0 = sig + (<usize>(t0 * hop) << 2);
      for (let n = 0; n < m; n++) {
        const o = <usize>n << 3;
        const r = <usize>load<i32>(rv + (<usize>n << 2)) << 2;
        store<f32>(zr + r, load<f32>(s0 + o) * load<f32>(win + o));
        store<f32>(zi + r, load<f32>(s0 + o, 4) * load<f32>(win + o, 4));
      }
    }
    complexFft<T>(plan, zr, zi);
    realForwardSplit<T>(plan, zr, zi, xr, xi);
    emit<T>(xr, xi, m + 1, mode, amin, outA, outB, rowBytes, t0, valid, tmp);
  }
  release(saved);
}

/**
 * STFT of the padded signal `sig` (frames start at t * hop), nFrames frames,
 * window `win` (f32[nFft]). mode: EMIT_*. Complex output goes to outRe/outIm,
 * real-valued output to outRe; each is f32[(nFft/2 + 1) * nFrames], bin-major.
 */
export function stft(plan: usize, sig: usize, hop: i32, nFrames: i32, win: usize, mode: i32, amin: f32, outRe: usize, outIm: usize): void {
  if (ASC_FEATURE_SIMD) stftFrames<v128>(plan, sig, hop, nFrames, win, mode, amin, outRe, outIm);
  else stftFrames<f32>(plan, sig, hop, nFrames, win, mode, amin, outRe, outIm);
}

function istftFrames<T>(plan: usize, xr: usize, xi: usize, mag: usize, rowFrames: i32, nFrames: i32, hop: i32, win: usize, ola: usize): void {
  const m = planM(plan);
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  const saved = mark();
  const zr = alloc(<usize>m * es), zi = alloc(<usize>m * es);
  const rowBytes = <usize>rowFrames << 2;
  const scale: f32 = <f32>1.0 / <f32>m;
  for (let t0 = 0; t0 < nFrames; t0 += L) {
    const valid = min(L, nFrames - t0);
    const col = <usize>t0 << 2;
    realInverseSplit<T>(plan, xr + col, xi + col, mag != 0 ? mag + col : 0, rowBytes, scale, zr, zi);
    complexFft<T>(plan, zr, zi);
    for (let j = 0; j < valid; j++) {
      const dst = ola + (<usize>((t0 + j) * hop) << 2);
      const lr = zr + (<usize>j << 2), li = zi + (<usize>j << 2);
      for (let n = 0; n < m; n++) {
        const o = <usize>n << 3;
        const src = <usize>n * es;
        store<f32>(dst + o, load<f32>(dst + o) + load<f32>(win + o) * load<f32>(lr + src));
        store<f32>(dst + o, load<f32>(dst + o, 4) - load<f32>(win + o, 4) * load<f32>(li + src), 4);
      }
    }
  }
  release(saved);
}

/**
 * Overlap-adds the windowed inverse FFTs of frames [0, nFrames) of the
 * bin-major spectrum (xr, xi), whose rows hold rowFrames frames, into ola
 * (f32[nFft + hop * (nFrames - 1)], zeroed here). When mag != 0 the spectrum
 * is mag * (xr + i xi), element-wise. Normalisation is istftFinish's job.
 */
export function istftOverlapAdd(plan: usize, xr: usize, xi: usize, mag: usize, rowFrames: i32, nFrames: i32, hop: i32, win: usize, ola: usize): void {
  const nFft = planM(plan) << 1;
  memory.fill(ola, 0, <usize>(nFft + hop * (nFrames - 1)) << 2);
  if (ASC_FEATURE_SIMD) istftFrames<v128>(plan, xr, xi, mag, rowFrames, nFrames, hop, win, ola);
  else istftFrames<f32>(plan, xr, xi, mag, rowFrames, nFrames, hop, win, ola);
}

/**
 * out[i] = ola[start + i] * inv[start + i] for i < length while inside ola,
 * zeros after (librosa's fix_length). inv from windowSumSquareInv.
 */
export function istftFinish(ola: usize, inv: usize, olaLen: i32, start: i32, length: i32, out: usize): void {
  const n = max(0, min(length, olaLen - start));
  const a = ola + (<usize>start << 2), b = inv + (<usize>start << 2);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
  if (length > n) memory.fill(out + (<usize>n << 2), 0, <usize>(length - n) << 2);
}
