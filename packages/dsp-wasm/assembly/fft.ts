// Real FFT of power-of-two size N through a complex FFT of size M = N / 2.
//
// Plan layout (one block from the arena, 16-byte aligned fields):
//   +0  i32 N, +4 i32 M, +8 i32 log2(M)
//   +16               twRe[M/2], twIm[M/2]   W_M^k = exp(-2 pi i k / M)
//   rev               i32[M]                  bit reversal of log2(M) bits
//   rwRe[M+1], rwIm[M+1]                      W_N^k = exp(-2 pi i k / N)
//
// Complex data lives in split planes (re[], im[]) of T, where T is f32 (one
// transform) or v128 (four transforms, one per lane, same instruction stream).

import { alloc } from './arena';
import { vadd, vsub, vmul, vloadSplat, vsplat, vneg } from './lanes';

const HEADER: usize = 16;

// @ts-ignore: decorator
@inline function align16(x: usize): usize { return (x + 15) & ~(<usize>15); }

export function planN(plan: usize): i32 { return load<i32>(plan); }
export function planM(plan: usize): i32 { return load<i32>(plan, 4); }
// @ts-ignore: decorator
@inline function twRe(plan: usize): usize { return plan + HEADER; }
// @ts-ignore: decorator
@inline function twIm(plan: usize): usize { return plan + HEADER + align16(<usize>(planM(plan) >> 1) << 2); }
// @ts-ignore: decorator
@inline export function revTable(plan: usize): usize { return plan + HEADER + 2 * align16(<usize>(planM(plan) >> 1) << 2); }
// @ts-ignore: decorator
@inline function rwRe(plan: usize): usize { return revTable(plan) + align16(<usize>planM(plan) << 2); }
// @ts-ignore: decorator
@inline function rwIm(plan: usize): usize { return rwRe(plan) + align16(<usize>(planM(plan) + 1) << 2); }

/** Creates a plan for a real FFT of size n (power of two, 16..65536). 0 if n is invalid or memory is exhausted. */
export function fftPlan(n: i32): usize {
  if (n < 16 || n > 65536 || (n & (n - 1)) != 0) return 0;
  const m = n >> 1;
  const half = m >> 1;
  const bytes = HEADER + 2 * align16(<usize>half << 2) + align16(<usize>m << 2) + 2 * align16(<usize>(m + 1) << 2);
  const plan = alloc(bytes);
  if (plan == 0) return 0;
  const bits = ctz(m);
  store<i32>(plan, n);
  store<i32>(plan, m, 4);
  store<i32>(plan, bits, 8);
  const tr = twRe(plan), ti = twIm(plan);
  for (let k = 0; k < half; k++) {
    const a = -2.0 * Math.PI * <f64>k / <f64>m;
    store<f32>(tr + (<usize>k << 2), <f32>Math.cos(a));
    store<f32>(ti + (<usize>k << 2), <f32>Math.sin(a));
  }
  const rv = revTable(plan);
  for (let k = 0; k < m; k++) {
    let r = 0, x = k;
    for (let b = 0; b < bits; b++) { r = (r << 1) | (x & 1); x >>= 1; }
    store<i32>(rv + (<usize>k << 2), r);
  }
  const wr = rwRe(plan), wi = rwIm(plan);
  for (let k = 0; k <= m; k++) {
    const a = -2.0 * Math.PI * <f64>k / <f64>n;
    store<f32>(wr + (<usize>k << 2), <f32>Math.cos(a));
    store<f32>(wi + (<usize>k << 2), <f32>Math.sin(a));
  }
  return plan;
}

/**
 * In-place forward complex FFT of size M on bit-reversed input in planes
 * re/im (element size sizeof<T>()). Radix-2 decimation in time: the first
 * two stages fused into a multiply-free radix-4 pass, the rest fused in pairs.
 */
export function complexFft<T>(plan: usize, re: usize, im: usize): void {
  const m = planM(plan);
  const es = <usize>sizeof<T>();
  // Stages 1+2: butterflies of size 4 on (x0, x1, x2, x3) in bit-reversed order.
  for (let s = 0; s < m; s += 4) {
    const p0 = <usize>s * es, p1 = p0 + es, p2 = p1 + es, p3 = p2 + es;
    const r0 = load<T>(re + p0), i0 = load<T>(im + p0);
    const r1 = load<T>(re + p1), i1 = load<T>(im + p1);
    const r2 = load<T>(re + p2), i2 = load<T>(im + p2);
    const r3 = load<T>(re + p3), i3 = load<T>(im + p3);
    const ar = vadd<T>(r0, r1), ai = vadd<T>(i0, i1);
    const br = vsub<T>(r0, r1), bi = vsub<T>(i0, i1);
    const cr = vadd<T>(r2, r3), ci = vadd<T>(i2, i3);
    const dr = vsub<T>(r2, r3), di = vsub<T>(i2, i3);
    // out0 = a + c, out2 = a - c, out1 = b + (-i) d, out3 = b - (-i) d
    store<T>(re + p0, vadd<T>(ar, cr)); store<T>(im + p0, vadd<T>(ai, ci));
    store<T>(re + p2, vsub<T>(ar, cr)); store<T>(im + p2, vsub<T>(ai, ci));
    store<T>(re + p1, vadd<T>(br, di)); store<T>(im + p1, vsub<T>(bi, dr));
    store<T>(re + p3, vsub<T>(br, di)); store<T>(im + p3, vadd<T>(bi, dr));
  }
  const tr = twRe(plan), ti = twIm(plan);
  let size = 8;
  // Remaining stages two at a time (radix-2^2): each element is loaded and
  // stored once per pair of stages.
  for (; (size << 1) <= m; size <<= 2) {
    const h = size >> 1;
    const stepA = m / size, stepB = stepA >> 1;
    for (let j = 0; j < h; j++) {
      const ar_ = vloadSplat<T>(tr + (<usize>(j * stepA) << 2)), ai_ = vloadSplat<T>(ti + (<usize>(j * stepA) << 2));
      const br_ = vloadSplat<T>(tr + (<usize>(j * stepB) << 2)), bi_ = vloadSplat<T>(ti + (<usize>(j * stepB) << 2));
      for (let b = j; b < m; b += size << 1) {
        const p0 = <usize>b * es, p1 = <usize>(b + h) * es, p2 = <usize>(b + size) * es, p3 = <usize>(b + size + h) * es;
        const x0r = load<T>(re + p0), x0i = load<T>(im + p0);
        const x1r = load<T>(re + p1), x1i = load<T>(im + p1);
        const x2r = load<T>(re + p2), x2i = load<T>(im + p2);
        const x3r = load<T>(re + p3), x3i = load<T>(im + p3);
        // Stage A (size): (x0, x1) and (x2, x3) with W_size^j.
        const u1r = vsub<T>(vmul<T>(x1r, ar_), vmul<T>(x1i, ai_)), u1i = vadd<T>(vmul<T>(x1r, ai_), vmul<T>(x1i, ar_));
        const u3r = vsub<T>(vmul<T>(x3r, ar_), vmul<T>(x3i, ai_)), u3i = vadd<T>(vmul<T>(x3r, ai_), vmul<T>(x3i, ar_));
        const y0r = vadd<T>(x0r, u1r), y0i = vadd<T>(x0i, u1i);
        const y1r = vsub<T>(x0r, u1r), y1i = vsub<T>(x0i, u1i);
        const y2r = vadd<T>(x2r, u3r), y2i = vadd<T>(x2i, u3i);
        const y3r = vsub<T>(x2r, u3r), y3i = vsub<T>(x2i, u3i);
        // Stage B (2 size): (y0, y2) with W_2size^j, (y1, y3) with W_2size^(j+h) = -i W_2size^j.
        const v2r = vsub<T>(vmul<T>(y2r, br_), vmul<T>(y2i, bi_)), v2i = vadd<T>(vmul<T>(y2r, bi_), vmul<T>(y2i, br_));
        const w3r = vsub<T>(vmul<T>(y3r, br_), vmul<T>(y3i, bi_)), w3i = vadd<T>(vmul<T>(y3r, bi_), vmul<T>(y3i, br_));
        // -i * (w3r + i w3i) = w3i - i w3r
        store<T>(re + p0, vadd<T>(y0r, v2r)); store<T>(im + p0, vadd<T>(y0i, v2i));
        store<T>(re + p2, vsub<T>(y0r, v2r)); store<T>(im + p2, vsub<T>(y0i, v2i));
        store<T>(re + p1, vadd<T>(y1r, w3i)); store<T>(im + p1, vsub<T>(y1i, w3r));
        store<T>(re + p3, vsub<T>(y1r, w3i)); store<T>(im + p3, vadd<T>(y1i, w3r));
      }
    }
  }
  // A last single radix-2 stage when the count is odd.
  if (size <= m) {
    const half = size >> 1;
    const step = m / size;
    for (let j = 0; j < half; j++) {
      const wr = vloadSplat<T>(tr + (<usize>(j * step) << 2));
      const wi = vloadSplat<T>(ti + (<usize>(j * step) << 2));
      for (let s = j; s < m; s += size) {
        const pa = <usize>s * es, pb = <usize>(s + half) * es;
        const brr = load<T>(re + pb), bii = load<T>(im + pb);
        const xr = vsub<T>(vmul<T>(brr, wr), vmul<T>(bii, wi));
        const xi = vadd<T>(vmul<T>(brr, wi), vmul<T>(bii, wr));
        const arr = load<T>(re + pa), aii = load<T>(im + pa);
        store<T>(re + pb, vsub<T>(arr, xr)); store<T>(im + pb, vsub<T>(aii, xi));
        store<T>(re + pa, vadd<T>(arr, xr)); store<T>(im + pa, vadd<T>(aii, xi));
      }
    }
  }
}

/**
 * Turns the complex FFT Z of the even/odd-packed real signal (natural order,
 * planes zr/zi of M elements) into the real spectrum X[0..M] (planes xr/xi of
 * M + 1 elements).
 */
export function realForwardSplit<T>(plan: usize, zr: usize, zi: usize, xr: usize, xi: usize): void {
  const m = planM(plan);
  const es = <usize>sizeof<T>();
  const wr = rwRe(plan), wi = rwIm(plan);
  const half = vsplat<T>(0.5);
  // k = 0 and k = M from Z[0].
  const z0r = load<T>(zr), z0i = load<T>(zi);
  store<T>(xr, vadd<T>(z0r, z0i)); store<T>(xi, vsplat<T>(0));
  store<T>(xr + <usize>m * es, vsub<T>(z0r, z0i)); store<T>(xi + <usize>m * es, vsplat<T>(0));
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = <usize>k * es, pm = <usize>(m - k) * es;
    const ar = load<T>(zr + pk), ai = load<T>(zi + pk);
    const cr = load<T>(zr + pm), ci = load<T>(zi + pm);
    // Fe = ((ar + cr) / 2, (ai - ci) / 2); Fo = ((ai + ci) / 2, (cr - ar) / 2)
    const fer = vmul<T>(vadd<T>(ar, cr), half), fei = vmul<T>(vsub<T>(ai, ci), half);
    const for_ = vmul<T>(vadd<T>(ai, ci), half), foi = vmul<T>(vsub<T>(cr, ar), half);
    const w_r = vloadSplat<T>(wr + (<usize>k << 2)), w_i = vloadSplat<T>(wi + (<usize>k << 2));
    // P = W^k * Fo
    const pr = vsub<T>(vmul<T>(w_r, for_), vmul<T>(w_i, foi));
    const pi = vadd<T>(vmul<T>(w_r, foi), vmul<T>(w_i, for_));
    // X[k] = Fe + P; X[M-k] = conj(Fe - P)
    store<T>(xr + pk, vadd<T>(fer, pr)); store<T>(xi + pk, vadd<T>(fei, pi));
    if (k != m - k) {
      store<T>(xr + pm, vsub<T>(fer, pr)); store<T>(xi + pm, vsub<T>(pi, fei));
    }
  }
}

/**
 * Inverse of realForwardSplit, fused with the bit-reversal permutation and the
 * conjugation that lets the forward complexFft compute an inverse: reads X[k]
 * at xr + k * xStride (k = 0..M), scales by `scale` (1/M for a true inverse;
 * pass 1/M times any extra gain), writes conj(Z)/M into zr/zi at bit-reversed
 * positions. After complexFft, the signal is x[2n] = zr[n], x[2n+1] = -zi[n].
 * When mag != 0, X[k] = mag[k] * (xr[k], xi[k]) (Griffin-Lim's S * angles).
 */
export function realInverseSplit<T>(plan: usize, xr: usize, xi: usize, mag: usize, xStride: usize, scale: f32, zr: usize, zi: usize): void {
  const m = planM(plan);
  const es = <usize>sizeof<T>();
  const wr = rwRe(plan), wi = rwIm(plan);
  const rv = revTable(plan);
  const h = vsplat<T>(0.5 * scale);
  // DC and Nyquist: imaginary parts are ignored (as numpy's irfft does).
  let x0r = load<T>(xr), xmr = load<T>(xr + <usize>m * xStride);
  if (mag != 0) {
    x0r = vmul<T>(x0r, load<T>(mag));
    xmr = vmul<T>(xmr, load<T>(mag + <usize>m * xStride));
  }
  // Z[0] = ((X0 + XM) / 2, (X0 - XM) / 2); stored conjugated and scaled.
  store<T>(zr, vmul<T>(vadd<T>(x0r, xmr), h));
  store<T>(zi, vneg<T>(vmul<T>(vsub<T>(x0r, xmr), h)));
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = <usize>k * xStride, pm = <usize>(m - k) * xStride;
    let ar = load<T>(xr + pk), ai = load<T>(xi + pk);
    let cr = load<T>(xr + pm), ci = load<T>(xi + pm);
    if (mag != 0) {
      const ma = load<T>(mag + pk), mc = load<T>(mag + pm);
      ar = vmul<T>(ar, ma); ai = vmul<T>(ai, ma);
      cr = vmul<T>(cr, mc); ci = vmul<T>(ci, mc);
    }
    // Fe = (X[k] + conj X[M-k]) / 2; D = (X[k] - conj X[M-k]) / 2; Fo = D * conj(W^k)
    const fer = vmul<T>(vadd<T>(ar, cr), h), fei = vmul<T>(vsub<T>(ai, ci), h);
    const dr = vmul<T>(vsub<T>(ar, cr), h), di = vmul<T>(vadd<T>(ai, ci), h);
    const w_r = vloadSplat<T>(wr + (<usize>k << 2)), w_i = vloadSplat<T>(wi + (<usize>k << 2));
    const for_ = vadd<T>(vmul<T>(dr, w_r), vmul<T>(di, w_i));
    const foi = vsub<T>(vmul<T>(di, w_r), vmul<T>(dr, w_i));
    // Z[k] = Fe + i Fo = (fer - foi, fei + for); Z[M-k] = conj(Fe) + i conj(Fo) = (fer + foi, for - fei)
    const rk = <usize>load<i32>(rv + (<usize>k << 2)) * es;
    store<T>(zr + rk, vsub<T>(fer, foi)); store<T>(zi + rk, vneg<T>(vadd<T>(fei, for_)));
    if (k != m - k) {
      const rm = <usize>load<i32>(rv + (<usize>(m - k) << 2)) * es;
      store<T>(zr + rm, vadd<T>(fer, foi)); store<T>(zi + rm, vsub<T>(fei, for_));
    }
  }
}
