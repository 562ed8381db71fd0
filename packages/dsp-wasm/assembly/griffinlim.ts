// Fast Griffin-Lim (Perraudin et al. 2013) with librosa's update:
//   inverse = istft(S * angles); rebuilt = stft(inverse)
//   angles = rebuilt - momentum / (1 + momentum) * previous rebuilt
//   angles /= |angles| + tiny
// All buffers are bin-major f32[nBins * nFrames].

import { alloc, mark, release } from './arena';
import { planM } from './fft';
import { stft, istftOverlapAdd, istftFinish, EMIT_GL } from './stft';
import { windowSumSquareInv, padSignal } from './window';

/** xorshift32 uniform in [0, 1). */
// @ts-ignore: decorator
@inline function nextUniform(state: u32): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

/**
 * Runs nIter iterations and writes the signal (f32[length]) to out.
 * init: 0 = zero phase (angles 1), 1 = uniform random phase from `seed`,
 * 2 = start from the unit phasors already in (angRe, angIm).
 * conv (f32[nIter]) receives || |rebuilt| - S || / ||S|| per iteration if
 * non-zero. center: pad nFft/2 each side with padMode (0 zeros, 1 reflect).
 * Returns 0, -1 if `length` does not give nFrames frames, -2 on memory.
 */
export function griffinLim(plan: usize, mag: usize, nFrames: i32, hop: i32, win: usize, nIter: i32, momentum: f32,
                           length: i32, center: i32, padMode: i32, init: i32, seed: u32,
                           angRe: usize, angIm: usize, out: usize, conv: usize): i32 {
  const m = planM(plan);
  const nFft = m << 1;
  const nBins = m + 1;
  const pad = center != 0 ? nFft >> 1 : 0;
  const expectFrames = center != 0 ? 1 + length / hop : 1 + (length - nFft) / hop;
  if (expectFrames != nFrames || length <= 0) return -1;
  if (center != 0 && padMode == 1 && length <= pad) return -1;
  const total = nBins * nFrames;
  const bytes = <usize>total << 2;
  const saved = mark();
  const aRe = angRe != 0 ? angRe : alloc(bytes), aIm = angIm != 0 ? angIm : alloc(bytes);
  const pRe = alloc(bytes), pIm = alloc(bytes);
  const olaLen = nFft + hop * (nFrames - 1);
  const ola = alloc(<usize>olaLen << 2), inv = alloc(<usize>olaLen << 2);
  const padded = alloc(<usize>(length + 2 * pad) << 2);
  if (padded == 0) { release(saved); return -2; }
  windowSumSquareInv(win, nFft, hop, nFrames, olaLen, inv);
  memory.fill(padded, 0, <usize>(length + 2 * pad) << 2);
  memory.fill(pRe, 0, bytes); memory.fill(pIm, 0, bytes);

  if (init == 0) {
    for (let i = 0; i < total; i++) {
      store<f32>(aRe + (<usize>i << 2), 1.0);
      store<f32>(aIm + (<usize>i << 2), 0.0);
    }
  } else if (init == 1) {
    let s: u32 = seed != 0 ? seed : 0x9e3779b9;
    for (let i = 0; i < total; i++) {
      s = nextUniform(s);
      const ph = 2.0 * Math.PI * (<f64>(s >>> 8) / 16777216.0);
      store<f32>(aRe + (<usize>i << 2), <f32>Math.cos(ph));
      store<f32>(aIm + (<usize>i << 2), <f32>Math.sin(ph));
    }
  }

  let sNorm: f64 = 0;
  for (let i = 0; i < total; i++) { const v = <f64>load<f32>(mag + (<usize>i << 2)); sNorm += v * v; }
  sNorm = Math.sqrt(sNorm);
  const c: f32 = momentum / (<f32>1.0 + momentum);
  const start = center != 0 ? nFft >> 1 : 0;
  const y = padded + (<usize>pad << 2);

  // Update context for the fused STFT emit (see stft.ts EMIT_GL).
  const ctx = alloc(40);
  store<u32>(ctx, <u32>pRe); store<u32>(ctx, <u32>pIm, 4);
  store<u32>(ctx, <u32>aRe, 8); store<u32>(ctx, <u32>aIm, 12); store<u32>(ctx, <u32>mag, 16);
  store<f32>(ctx, c, 20);
  store<i32>(ctx, conv != 0 ? 1 : 0, 24);
  for (let it = 0; it < nIter; it++) {
    istftOverlapAdd(plan, aRe, aIm, mag, nFrames, nFrames, hop, win, ola);
    istftFinish(ola, inv, olaLen, start, length, y);
    if (pad > 0 && padMode == 1) padSignal(y, length, pad, 1, padded);
    store<f64>(ctx, 0, 32);
    // prev starts at zero, so the first update is angles = normalise(rebuilt).
    stft(plan, padded, hop, nFrames, win, EMIT_GL, 0, ctx, 0);
    if (conv != 0) store<f32>(conv + (<usize>it << 2), <f32>(sNorm > 0 ? Math.sqrt(load<f64>(ctx, 32)) / sNorm : 0.0));
  }
  istftOverlapAdd(plan, aRe, aIm, mag, nFrames, nFrames, hop, win, ola);
  istftFinish(ola, inv, olaLen, start, length, out);
  release(saved);
  return 0;
}
