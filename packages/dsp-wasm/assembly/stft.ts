// Short-time Fourier transform on an already padded signal, and its inverse
// (overlap-add). Spectra are bin-major: element (bin k, frame t) is at
// index k * nFrames + t, as librosa's S[k, t]. With SIMD, four consecutive
// frames travel together, one per lane, so a bin's four values are one
// contiguous 16-byte store.

import { alloc, mark, release } from './arena';
import { planM, revTable, complexFft, realForwardSplit, realInverseSplit } from './fft';
import { vadd, vsub, vmul, vdiv, vsqrt, vmax, vsplat, lanes } from './lanes';
import { log2x4 } from './fastmath';

export const EMIT_COMPLEX: i32 = 0;
export const EMIT_MAGNITUDE: i32 = 1;
export const EMIT_POWER: i32 = 2;
/** 20 * log10(max(amin, |X|)), i.e. amplitude_to_db with ref 1 and no top_db. */
export const EMIT_DB: i32 = 3;
/** Griffin-Lim phase update (see GlContext); outRe is the context pointer. */
export const EMIT_GL: i32 = 4;

/**
 * Griffin-Lim context, laid out in memory:
 * +0 prevRe, +4 prevIm, +8 angRe, +12 angIm, +16 mag (bin-major pointers),
 * +20 f32 c = momentum / (1 + momentum), +24 i32 track error, +32 f64 error.
 * For each bin: a = X - c * prev; angles = a / (|a| + tiny); prev = X;
 * error += (|X| - mag)^2 when tracked.
 */
const TINY: f32 = 1.17549435e-38;

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

function emitGl<T>(xr: usize, xi: usize, nBins: i32, ctx: usize, rowBytes: usize, col: i32, valid: i32, tmp: usize): void {
  const es = <usize>sizeof<T>();
  const colOff = <usize>col << 2;
  const prevRe = <usize>load<u32>(ctx), prevIm = <usize>load<u32>(ctx, 4);
  const angRe = <usize>load<u32>(ctx, 8), angIm = <usize>load<u32>(ctx, 12), mag = <usize>load<u32>(ctx, 16);
  const c = vsplat<T>(load<f32>(ctx, 20));
  const track = load<i32>(ctx, 24) != 0;
  const tiny = vsplat<T>(TINY), one = vsplat<T>(1.0);
  let err = vsplat<T>(0);
  for (let k = 0; k < nBins; k++) {
    const o = <usize>k * rowBytes + colOff;
    const r = load<T>(xr + <usize>k * es), i = load<T>(xi + <usize>k * es);
    const ar = vsub<T>(r, vmul<T>(c, load<T>(prevRe + o)));
    const ai = vsub<T>(i, vmul<T>(c, load<T>(prevIm + o)));
    const inv = vdiv<T>(one, vadd<T>(vsqrt<T>(vadd<T>(vmul<T>(ar, ar), vmul<T>(ai, ai))), tiny));
    storeLanes<T>(angRe + o, vmul<T>(ar, inv), valid, tmp);
    storeLanes<T>(angIm + o, vmul<T>(ai, inv), valid, tmp);
    storeLanes<T>(prevRe + o, r, valid, tmp);
    storeLanes<T>(prevIm + o, i, valid, tmp);
    if (track) {
      const d = vsub<T>(vsqrt<T>(vadd<T>(vmul<T>(r, r), vmul<T>(i, i))), load<T>(mag + o));
      err = vadd<T>(err, vmul<T>(d, d));
    }
  }
  if (track) {
    let e: f64 = 0;
    if (isVector<T>()) {
      v128.store(tmp, err);
      for (let j = 0; j < valid; j++) e += <f64>load<f32>(tmp + (<usize>j << 2));
    } else {
      e = <f64>(err as f32);
    }
    store<f64>(ctx, load<f64>(ctx, 32) + e, 32);
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
      // Four samples of each frame per step, windowed, then a 4x4 transpose
      // gives one vector per sample index (lane = frame). Samples 4q, 4q+1
      // are z[2q] (re, im), samples 4q+2, 4q+3 are z[2q+1].
      for (let q = 0; q < (m >> 1); q++) {
        const o = <usize>q << 4;
        const w = v128.load(win + o);
        const a0 = f32x4.mul(v128.load(s0 + o), w), a1 = f32x4.mul(v128.load(s1 + o), w);
        const a2 = f32x4.mul(v128.load(s2 + o), w), a3 = f32x4.mul(v128.load(s3 + o), w);
        const t0_ = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1_ = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
        const t2_ = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), t3_ = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
        const r0 = <usize>load<i32>(rv + (<usize>q << 3)) << 4;
        const r1 = <usize>load<i32>(rv + (<usize>q << 3), 4) << 4;
        v128.store(zr + r0, v128.shuffle<f32>(t0_, t2_, 0, 1, 4, 5));
        v128.store(zi + r0, v128.shuffle<f32>(t0_, t2_, 2, 3, 6, 7));
        v128.store(zr + r1, v128.shuffle<f32>(t1_, t3_, 0, 1, 4, 5));
        v128.store(zi + r1, v128.shuffle<f32>(t1_, t3_, 2, 3, 6, 7));
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
    if (mode == EMIT_GL) emitGl<T>(xr, xi, m + 1, outA, rowBytes, t0, valid, tmp);
    else emit<T>(xr, xi, m + 1, mode, amin, outA, outB, rowBytes, t0, valid, tmp);
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
    if (isVector<T>()) {
      // Back from lanes-as-frames to one vector of 4 samples per frame
      // (4x4 transpose), then a vector multiply-add into the output.
      const d0 = ola + (<usize>(t0 * hop) << 2);
      const d1 = d0 + (<usize>hop << 2), d2 = d1 + (<usize>hop << 2), d3 = d2 + (<usize>hop << 2);
      for (let q = 0; q < (m >> 1); q++) {
        const o = <usize>q << 4;
        const e0 = v128.load(zr + (o << 1)), o0 = f32x4.neg(v128.load(zi + (o << 1)));
        const e1 = v128.load(zr + (o << 1) + 16), o1 = f32x4.neg(v128.load(zi + (o << 1) + 16));
        const u0 = v128.shuffle<f32>(e0, o0, 0, 4, 1, 5), u1 = v128.shuffle<f32>(e0, o0, 2, 6, 3, 7);
        const u2 = v128.shuffle<f32>(e1, o1, 0, 4, 1, 5), u3 = v128.shuffle<f32>(e1, o1, 2, 6, 3, 7);
        const w = v128.load(win + o);
        v128.store(d0 + o, f32x4.add(v128.load(d0 + o), f32x4.mul(v128.shuffle<f32>(u0, u2, 0, 1, 4, 5), w)));
        if (valid > 1) v128.store(d1 + o, f32x4.add(v128.load(d1 + o), f32x4.mul(v128.shuffle<f32>(u0, u2, 2, 3, 6, 7), w)));
        if (valid > 2) v128.store(d2 + o, f32x4.add(v128.load(d2 + o), f32x4.mul(v128.shuffle<f32>(u1, u3, 0, 1, 4, 5), w)));
        if (valid > 3) v128.store(d3 + o, f32x4.add(v128.load(d3 + o), f32x4.mul(v128.shuffle<f32>(u1, u3, 2, 3, 6, 7), w)));
      }
    } else {
      const dst = ola + (<usize>(t0 * hop) << 2);
      for (let n = 0; n < m; n++) {
        const o = <usize>n << 3;
        store<f32>(dst + o, load<f32>(dst + o) + load<f32>(win + o) * load<f32>(zr + (<usize>n << 2)));
        store<f32>(dst + o, load<f32>(dst + o, 4) - load<f32>(win + o, 4) * load<f32>(zi + (<usize>n << 2)), 4);
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
