// Single real transforms (scalar path), numpy.fft.rfft / irfft semantics.

import { alloc, mark, release } from './arena';
import { planM, revTable, complexFft, realForwardSplit, realInverseSplit } from './fft';

/** X = rfft(x): x f32[N] -> outRe, outIm f32[N/2 + 1]. */
export function rfft(plan: usize, x: usize, outRe: usize, outIm: usize): void {
  const m = planM(plan);
  const rv = revTable(plan);
  const saved = mark();
  const zr = alloc(<usize>m << 2), zi = alloc(<usize>m << 2);
  for (let n = 0; n < m; n++) {
    const r = <usize>load<i32>(rv + (<usize>n << 2)) << 2;
    store<f32>(zr + r, load<f32>(x + (<usize>n << 3)));
    store<f32>(zi + r, load<f32>(x + (<usize>n << 3), 4));
  }
  complexFft<f32>(plan, zr, zi);
  realForwardSplit<f32>(plan, zr, zi, outRe, outIm);
  release(saved);
}

/** x = irfft(X, N): xr, xi f32[N/2 + 1] -> out f32[N] (1/N scaling, as numpy). */
export function irfft(plan: usize, xr: usize, xi: usize, out: usize): void {
  const m = planM(plan);
  const saved = mark();
  const zr = alloc(<usize>m << 2), zi = alloc(<usize>m << 2);
  realInverseSplit<f32>(plan, xr, xi, 0, 4, <f32>1.0 / <f32>m, zr, zi);
  complexFft<f32>(plan, zr, zi);
  for (let n = 0; n < m; n++) {
    store<f32>(out + (<usize>n << 3), load<f32>(zr + (<usize>n << 2)));
    store<f32>(out + (<usize>n << 3), -load<f32>(zi + (<usize>n << 2)), 4);
  }
  release(saved);
}
