// Vectorised log2 and exp2 for f32 (scalar build: exact libm calls).
// log2: exponent/mantissa split, mantissa folded into [sqrt(1/2), sqrt(2)),
// ln(m) by the atanh series (one division, error < 3e-8).
// exp2: 2^floor(x) via the exponent bits, 2^frac by a degree-6 polynomial.

const LN2: f32 = 0.6931471805599453;
const INV_LN2: f32 = 1.4426950408889634;

// @ts-ignore: decorator
@inline export function log2x4(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  // Fold m > sqrt(2) into [sqrt(1/2), 1): m /= 2, e += 1.
  const big = f32x4.gt(m, f32x4.splat(1.41421356));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = i32x4.sub(e, big); // big lanes are -1
  // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716:
  // 2 s (1 + s^2/3 + s^4/5 + s^6/7 + s^8/9), truncation error < 3e-8.
  const s_ = f32x4.div(f32x4.sub(m, f32x4.splat(1.0)), f32x4.add(m, f32x4.splat(1.0)));
  const z = f32x4.mul(s_, s_);
  let p = f32x4.splat(1.0 / 9.0);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.0 / 7.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.0 / 5.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.0 / 3.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.0));
  const ln = f32x4.mul(f32x4.mul(s_, p), f32x4.splat(2.0));
  return f32x4.add(f32x4.convert_i32x4_s(e), f32x4.mul(ln, f32x4.splat(INV_LN2)));
}

// @ts-ignore: decorator
@inline export function exp2x4(x: v128): v128 {
  const c = f32x4.min(f32x4.max(x, f32x4.splat(-126.0)), f32x4.splat(127.0));
  const fl = f32x4.floor(c);
  const f = f32x4.mul(f32x4.sub(c, fl), f32x4.splat(LN2)); // in [0, ln2)
  // e^f, Taylor to degree 7 on [0, ln 2): relative error < 2e-8.
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fl), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}
