// Analysis/synthesis windows and their overlap-add envelope.

/**
 * Periodic ("fftbins") Hann window of winLength samples, zero-padded on both
 * sides to nFft and centred (librosa's pad_center). out: f32[nFft].
 */
export function hannWindow(nFft: i32, winLength: i32, out: usize): void {
  memory.fill(out, 0, <usize>nFft << 2);
  const left = (nFft - winLength) >> 1;
  for (let i = 0; i < winLength; i++) {
    const w = 0.5 - 0.5 * Math.cos(2.0 * Math.PI * <f64>i / <f64>winLength);
    store<f32>(out + (<usize>(left + i) << 2), <f32>w);
  }
}

/**
 * Reciprocal of the squared-window overlap-add envelope
 * sum_t w[i - t*hop]^2 over nFrames frames, for i in [0, outLen); 1 where the
 * envelope is not above float32's tiny (librosa leaves those samples as they
 * are). out: f32[outLen].
 */
export function windowSumSquareInv(win: usize, nFft: i32, hop: i32, nFrames: i32, outLen: i32, out: usize): void {
  memory.fill(out, 0, <usize>outLen << 2);
  for (let t = 0; t < nFrames; t++) {
    const base = t * hop;
    const n = min(nFft, outLen - base);
    for (let i = 0; i < n; i++) {
      const w = load<f32>(win + (<usize>i << 2));
      const p = out + (<usize>(base + i) << 2);
      store<f32>(p, load<f32>(p) + w * w);
    }
  }
  for (let i = 0; i < outLen; i++) {
    const p = out + (<usize>i << 2);
    const s = load<f32>(p);
    store<f32>(p, s > 1.17549435e-38 ? <f32>1.0 / s : <f32>1.0);
  }
}

/**
 * Copies x[0..len) into out[pad..pad+len) and fills pad samples on each side:
 * mode 0 zeros, mode 1 reflect (numpy 'reflect', edge not repeated).
 * Returns 0, or -1 when reflect padding needs len > pad.
 */
export function padSignal(x: usize, len: i32, pad: i32, mode: i32, out: usize): i32 {
  if (mode == 1 && pad > 0 && len <= pad) return -1;
  memory.copy(out + (<usize>pad << 2), x, <usize>len << 2);
  if (mode == 1) {
    for (let i = 1; i <= pad; i++) {
      store<f32>(out + (<usize>(pad - i) << 2), load<f32>(x + (<usize>i << 2)));
      store<f32>(out + (<usize>(pad + len - 1 + i) << 2), load<f32>(x + (<usize>(len - 1 - i) << 2)));
    }
  } else {
    memory.fill(out, 0, <usize>pad << 2);
    memory.fill(out + (<usize>(pad + len) << 2), 0, <usize>pad << 2);
  }
  return 0;
}
