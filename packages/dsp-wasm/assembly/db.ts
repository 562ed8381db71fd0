// Decibel conversions and per-clip normalisation over flat f32 arrays.

import { log2x4, exp2x4 } from './fastmath';

const TWENTY_LOG10_2: f32 = 6.0205999132796240;
const LOG2_10_OVER_20: f32 = 0.16609640474436813;

/** out = 20 log10(max(amin, x)) for n values; returns the maximum. */
export function amplitudeToDbRaw(x: usize, n: i32, amin: f32, out: usize): f32 {
  let i = 0;
  let best: f32 = -Infinity;
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(amin);
    let mx = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const d = f32x4.mul(log2x4(f32x4.pmax(v128.load(x + o), a)), f32x4.splat(TWENTY_LOG10_2));
      v128.store(out + o, d);
      mx = f32x4.pmax(mx, d);
    }
    best = Mathf.max(Mathf.max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), Mathf.max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f32>20.0 * Mathf.log10(Mathf.max(load<f32>(x + o), amin));
    store<f32>(out + o, d);
    best = Mathf.max(best, d);
  }
  return best;
}

/** Maximum of n values (-Infinity when n == 0). */
export function maxOf(x: usize, n: i32): f32 {
  let i = 0;
  let best: f32 = -Infinity;
  if (ASC_FEATURE_SIMD) {
    let mx = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) mx = f32x4.pmax(mx, v128.load(x + (<usize>i << 2)));
    best = Mathf.max(Mathf.max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), Mathf.max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  }
  for (; i < n; i++) best = Mathf.max(best, load<f32>(x + (<usize>i << 2)));
  return best;
}

/** In place: x = max(x - offset, floor). */
export function shiftAndFloor(x: usize, n: i32, offset: f32, floor: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const o4 = f32x4.splat(offset), f4 = f32x4.splat(floor);
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      v128.store(p, f32x4.pmax(f32x4.sub(v128.load(p), o4), f4));
    }
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, Mathf.max(load<f32>(p) - offset, floor));
  }
}

/** In place: x = (x - lo) * scale. */
export function affine(x: usize, n: i32, lo: f32, scale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const l4 = f32x4.splat(lo), s4 = f32x4.splat(scale);
    for (; i + 4 <= n; i += 4) {
      const p = x + (<usize>i << 2);
      v128.store(p, f32x4.mul(f32x4.sub(v128.load(p), l4), s4));
    }
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, (load<f32>(p) - lo) * scale);
  }
}

/** out = ref * 10^(x / 20). */
export function dbToAmplitude(x: usize, n: i32, ref: f32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const r4 = f32x4.splat(ref), k4 = f32x4.splat(LOG2_10_OVER_20);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.mul(r4, exp2x4(f32x4.mul(v128.load(x + o), k4))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, ref * Mathf.pow(10, load<f32>(x + o) / <f32>20.0));
  }
}
