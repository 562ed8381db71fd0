// Fast Griffin-Lim (Perraudin et al. 2013) with librosa's update:
//   inverse = istft(S * angles); rebuilt = stft(inverse)
//   angles = rebuilt - momentum / (1 + momentum) * previous rebuilt
//   angles /= |angles| + tiny
// All buffers are bin-major f32[nBins * nFrames].

import { alloc, mark, release } from './arena';
import { planM } from './fft';
import { stft, istftOverlapAdd, istftFinish, EMIT_COMPLEX } from './stft';
import { windowSumSquareInv, padSignal } from './window';

const TINY: f32 = 1.17549435e-38;

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
  let rRe = alloc(bytes), rIm = alloc(bytes);
  let pRe = alloc(bytes), pIm = alloc(bytes);
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

  for (let it = 0; it < nIter; it++) {
    istftOverlapAdd(plan, aRe, aIm, mag, nFrames, nFrames, hop, win, ola);
    istftFinish(ola, inv, olaLen, start, length, y);
    if (pad > 0 && padMode == 1) padSignal(y, length, pad, 1, padded);
    stft(plan, padded, hop, nFrames, win, EMIT_COMPLEX, 0, rRe, rIm);
    const err = updateAngles(rRe, rIm, pRe, pIm, mag, aRe, aIm, total, it == 0 ? <f32>0 : c);
    if (conv != 0) store<f32>(conv + (<usize>it << 2), <f32>(sNorm > 0 ? Math.sqrt(err) / sNorm : 0.0));
    // The rebuilt spectrum becomes the previous one.
    const tr = pRe, ti = pIm;
    pRe = rRe; pIm = rIm; rRe = tr; rIm = ti;
  }
  istftOverlapAdd(plan, aRe, aIm, mag, nFrames, nFrames, hop, win, ola);
  istftFinish(ola, inv, olaLen, start, length, out);
  release(saved);
  return 0;
}

/** angles = normalise(rebuilt - c * prev); returns sum (|rebuilt| - S)^2. */
function updateAngles(rRe: usize, rIm: usize, pRe: usize, pIm: usize, mag: usize, aRe: usize, aIm: usize, n: i32, c: f32): f64 {
  let i = 0;
  let err: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const c4 = f32x4.splat(c), tiny4 = f32x4.splat(TINY);
    let e4 = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const rr = v128.load(rRe + o), ri = v128.load(rIm + o);
      const ar = f32x4.sub(rr, f32x4.mul(c4, v128.load(pRe + o)));
      const ai = f32x4.sub(ri, f32x4.mul(c4, v128.load(pIm + o)));
      const norm = f32x4.add(f32x4.sqrt(f32x4.add(f32x4.mul(ar, ar), f32x4.mul(ai, ai))), tiny4);
      v128.store(aRe + o, f32x4.div(ar, norm));
      v128.store(aIm + o, f32x4.div(ai, norm));
      const d = f32x4.sub(f32x4.sqrt(f32x4.add(f32x4.mul(rr, rr), f32x4.mul(ri, ri))), v128.load(mag + o));
      e4 = f32x4.add(e4, f32x4.mul(d, d));
    }
    err = <f64>f32x4.extract_lane(e4, 0) + <f64>f32x4.extract_lane(e4, 1) + <f64>f32x4.extract_lane(e4, 2) + <f64>f32x4.extract_lane(e4, 3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const rr = load<f32>(rRe + o), ri = load<f32>(rIm + o);
    const ar = rr - c * load<f32>(pRe + o), ai = ri - c * load<f32>(pIm + o);
    const norm = Mathf.sqrt(ar * ar + ai * ai) + TINY;
    store<f32>(aRe + o, ar / norm);
    store<f32>(aIm + o, ai / norm);
    const d = <f64>(Mathf.sqrt(rr * rr + ri * ri) - load<f32>(mag + o));
    err += d * d;
  }
  return err;
}
