// Rational resampling by up/down with a polyphase windowed-sinc FIR, the
// design of scipy.signal.resample_poly: a Kaiser-windowed (beta) low-pass of
// 2 * halfLen + 1 taps, halfLen = zeros * max(up, down), cutoff at the lower
// Nyquist, unit DC gain times `up`, zero-padded edges and the filter delay
// removed so output sample j sits at input time j * down / up.
//
// Plan layout: +0 up, +4 down, +8 halfLen, +12 taps per phase R (multiple
// of 4), +16 phases: f32[up][R], each phase reversed so an output sample is
// one contiguous dot product with the input.

import { alloc, mark, release } from './arena';

function besselI0(x: f64): f64 {
  // Power series; converges quickly for the |x| <= 20 used by Kaiser windows.
  let sum: f64 = 1.0, term: f64 = 1.0;
  const q = x * x * 0.25;
  for (let k = 1; k < 200; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export function resamplePlanUp(plan: usize): i32 { return load<i32>(plan); }
export function resamplePlanDown(plan: usize): i32 { return load<i32>(plan, 4); }
export function resamplePlanTaps(plan: usize): i32 { return load<i32>(plan, 12); }

/** Designs the polyphase filter for up/down (already reduced). 0 on bad input or memory. */
export function resamplePlan(up: i32, down: i32, zeros: i32, beta: f64): usize {
  if (up < 1 || down < 1 || zeros < 1) return 0;
  const maxRate = max(up, down);
  const halfLen = zeros * maxRate;
  const nTaps = 2 * halfLen + 1;
  const perPhase = (nTaps + up - 1) / up;
  const R = (perPhase + 3) & ~3;
  const plan = alloc(16 + (<usize>up * <usize>R << 2));
  if (plan == 0) return 0;
  store<i32>(plan, up);
  store<i32>(plan, down, 4);
  store<i32>(plan, halfLen, 8);
  store<i32>(plan, R, 12);
  // Prototype filter in f64 (firwin with a Kaiser window, scaled to DC gain 1).
  const saved = mark();
  const h = alloc(<usize>nTaps << 3);
  const cutoff = 1.0 / <f64>maxRate;
  const i0b = besselI0(beta);
  let sum: f64 = 0;
  for (let n = 0; n < nTaps; n++) {
    const t = <f64>(n - halfLen);
    const x = cutoff * t;
    const sinc = x == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = <f64>(2 * n) / <f64>(nTaps - 1) - 1.0;
    const w = besselI0(beta * Math.sqrt(Math.max(0.0, 1.0 - r * r))) / i0b;
    const v = cutoff * sinc * w;
    store<f64>(h + (<usize>n << 3), v);
    sum += v;
  }
  const gain = <f64>up / sum;
  const phases = plan + 16;
  for (let p = 0; p < up; p++) {
    const row = phases + (<usize>(p * R) << 2);
    for (let s = 0; s < R; s++) {
      const idx = p + (R - 1 - s) * up;
      store<f32>(row + (<usize>s << 2), idx < nTaps ? <f32>(load<f64>(h + (<usize>idx << 3)) * gain) : 0);
    }
  }
  release(saved);
  return plan;
}

/** Output length for nIn input samples: ceil(nIn * up / down). */
export function resampleLength(plan: usize, nIn: i32): i32 {
  const up = <i64>resamplePlanUp(plan), down = <i64>resamplePlanDown(plan);
  return <i32>((<i64>nIn * up + down - 1) / down);
}

/** Resamples x (f32[nIn]) into out (f32[resampleLength]). Returns 0, or -2 on memory. */
export function resample(plan: usize, x: usize, nIn: i32, out: usize): i32 {
  const up = resamplePlanUp(plan), down = resamplePlanDown(plan);
  const halfLen = load<i32>(plan, 8), R = resamplePlanTaps(plan);
  const phases = plan + 16;
  const nOut = resampleLength(plan, nIn);
  // Zero-padded copy so every tap window stays inside the buffer.
  const padL = R, padR = R + halfLen / up + 2;
  const saved = mark();
  const xp = alloc(<usize>(nIn + padL + padR) << 2);
  if (xp == 0) return -2;
  memory.fill(xp, 0, <usize>padL << 2);
  memory.copy(xp + (<usize>padL << 2), x, <usize>nIn << 2);
  memory.fill(xp + (<usize>(padL + nIn) << 2), 0, <usize>padR << 2);
  // Output j: q = j * down + halfLen; i0 = q / up; phase = q % up;
  // y = sum_s g[phase][s] * x[i0 - R + 1 + s].
  let q: i64 = <i64>halfLen;
  for (let j = 0; j < nOut; j++) {
    const i0 = <i32>(q / up);
    const ph = <i32>(q - <i64>i0 * up);
    const g = phases + (<usize>(ph * R) << 2);
    const src = xp + (<usize>(i0 - R + 1 + padL) << 2);
    let acc: f32 = 0;
    let s = 0;
    if (ASC_FEATURE_SIMD) {
      let a4 = f32x4.splat(0);
      for (; s < R; s += 4) {
        const o = <usize>s << 2;
        a4 = f32x4.add(a4, f32x4.mul(v128.load(g + o), v128.load(src + o)));
      }
      acc = (f32x4.extract_lane(a4, 0) + f32x4.extract_lane(a4, 1)) + (f32x4.extract_lane(a4, 2) + f32x4.extract_lane(a4, 3));
    } else {
      for (; s < R; s++) acc += load<f32>(g + (<usize>s << 2)) * load<f32>(src + (<usize>s << 2));
    }
    store<f32>(out + (<usize>j << 2), acc);
    q += <i64>down;
  }
  release(saved);
  return 0;
}
