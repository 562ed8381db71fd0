// Arithmetic that compiles for T = f32 (one frame at a time: the scalar
// reference path) and T = v128 (four frames side by side, one per lane).
// Dead branches are removed at compile time, so the scalar build never
// sees a SIMD instruction.

// @ts-ignore: decorator
@inline export function vadd<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.add(a, b);
  else return a + b;
}
// @ts-ignore: decorator
@inline export function vsub<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.sub(a, b);
  else return a - b;
}
// @ts-ignore: decorator
@inline export function vmul<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.mul(a, b);
  else return a * b;
}
// @ts-ignore: decorator
@inline export function vdiv<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.div(a, b);
  else return a / b;
}
// @ts-ignore: decorator
@inline export function vneg<T>(a: T): T {
  if (isVector<T>()) return f32x4.neg(a);
  else return -a;
}
// @ts-ignore: decorator
@inline export function vsplat<T>(x: f32): T {
  if (isVector<T>()) return f32x4.splat(x);
  else return x as T;
}
/** Loads one f32 and broadcasts it to every lane. */
// @ts-ignore: decorator
@inline export function vloadSplat<T>(ptr: usize): T {
  if (isVector<T>()) return v128.load32_splat(ptr);
  else return load<f32>(ptr) as T;
}
// @ts-ignore: decorator
@inline export function vsqrt<T>(a: T): T {
  if (isVector<T>()) return f32x4.sqrt(a);
  else return Mathf.sqrt(a as f32) as T;
}
// @ts-ignore: decorator
@inline export function vmax<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.pmax(a, b);
  else return Mathf.max(a as f32, b as f32) as T;
}
/** Number of frames one T holds. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return isVector<T>() ? 4 : 1;
}
