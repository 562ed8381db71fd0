// Convolutions in which one side has a single channel: the models' first
// encoder conv (1 -> C) and last decoder conv (C -> 1), in all three roles
// (forward conv, input gradient, filter gradient). XNNPACK runs these at
// 1-2 GFLOP/s (its micro-kernels want channels on both sides); here they are
// memory-bound SIMD passes vectorised over the C side, with the rows of the
// image split across threads (part / parts).
//
// Layouts (NHWC, byte pointers into the tfjs-wasm heap):
//   the 1-channel image  [N, H, W]         (H, W: the forward conv's input)
//   the C-channel map    [N, OH, OW, C]     (the forward conv's output)
//   the filter           [KH, KW, C]        (tfjs' [KH, KW, 1, C])

// @ts-ignore: decorator
@inline function rowStart(M: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>M * <i64>part) / <i64>parts);
}

/** First output column whose tap kw lands inside [0, W): ceil((pl - kw) / sw), at least 0. */
// @ts-ignore: decorator
@inline function colLo(kw: i32, sw: i32, pl: i32): i32 {
  const t = pl - kw;
  return t <= 0 ? 0 : (t + sw - 1) / sw;
}

/** One past the last output column whose tap kw lands inside [0, W). */
// @ts-ignore: decorator
@inline function colHi(kw: i32, sw: i32, pl: i32, W: i32, OW: i32): i32 {
  const t = W - 1 + pl - kw;
  if (t < 0) return 0;
  return min(OW, t / sw + 1);
}

/**
 * Forward conv from one channel: y[n,oy,ox,c] = bias[c] + sum_{kh,kw}
 * x[n, oy*sh+kh-pt, ox*sw+kw-pl] * w[kh,kw,c] (zero outside), then ReLU when
 * relu != 0. bias = 0: no bias. Rows n*OH are split by part.
 */
export function conv1In(x: usize, w: usize, bias: usize, y: usize, N: i32, H: i32, W: i32, OH: i32, OW: i32, C: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, relu: i32, part: i32, parts: i32): void {
  const rows = N * OH;
  const r0 = rowStart(rows, part, parts);
  const r1 = rowStart(rows, part + 1, parts);
  const c4 = C & ~3;
  const pix: usize = <usize>C << 2;
  for (let r = r0; r < r1; r++) {
    const n = r / OH;
    const oy = r - n * OH;
    const yRow = y + <usize>r * <usize>OW * pix;
    // start from the bias
    for (let ox = 0; ox < OW; ox++) {
      const yp = yRow + <usize>ox * pix;
      if (bias != 0) memory.copy(yp, bias, pix);
      else memory.fill(yp, 0, pix);
    }
    for (let kh = 0; kh < KH; kh++) {
      const iy = oy * sh + kh - pt;
      if (iy < 0 || iy >= H) continue;
      const xRow = x + ((<usize>n * <usize>H + <usize>iy) * <usize>W << 2);
      for (let kw = 0; kw < KW; kw++) {
        const lo = colLo(kw, sw, pl);
        const hi = colHi(kw, sw, pl, W, OW);
        const wt = w + (<usize>(kh * KW + kw) * pix);
        let c = 0;
        for (; c + 16 <= c4; c += 16) {
          const off = <usize>c << 2;
          const w0 = v128.load(wt + off);
          const w1 = v128.load(wt + off, 16);
          const w2 = v128.load(wt + off, 32);
          const w3 = v128.load(wt + off, 48);
          let xp = xRow + (<usize>(lo * sw + kw - pl) << 2);
          let yp = yRow + <usize>lo * pix + off;
          const xs: usize = <usize>sw << 2;
          for (let ox = lo; ox < hi; ox++) {
            const xv = v128.load32_splat(xp);
            v128.store(yp, f32x4.add(v128.load(yp), f32x4.mul(xv, w0)));
            v128.store(yp, f32x4.add(v128.load(yp, 16), f32x4.mul(xv, w1)), 16);
            v128.store(yp, f32x4.add(v128.load(yp, 32), f32x4.mul(xv, w2)), 32);
            v128.store(yp, f32x4.add(v128.load(yp, 48), f32x4.mul(xv, w3)), 48);
            xp += xs;
            yp += pix;
          }
        }
        for (; c < c4; c += 4) {
          const off = <usize>c << 2;
          const w0 = v128.load(wt + off);
          let xp = xRow + (<usize>(lo * sw + kw - pl) << 2);
          let yp = yRow + <usize>lo * pix + off;
          const xs: usize = <usize>sw << 2;
          for (let ox = lo; ox < hi; ox++) {
            v128.store(yp, f32x4.add(v128.load(yp), f32x4.mul(v128.load32_splat(xp), w0)));
            xp += xs;
            yp += pix;
          }
        }
        for (; c < C; c++) {
          const off = <usize>c << 2;
          const wv = load<f32>(wt + off);
          let xp = xRow + (<usize>(lo * sw + kw - pl) << 2);
          let yp = yRow + <usize>lo * pix + off;
          const xs: usize = <usize>sw << 2;
          for (let ox = lo; ox < hi; ox++) {
            store<f32>(yp, load<f32>(yp) + load<f32>(xp) * wv);
            xp += xs;
            yp += pix;
          }
        }
      }
    }
    if (relu != 0) {
      const zero = f32x4.splat(0);
      const n4 = (OW * C) & ~3;
      let i = 0;
      for (; i < n4; i += 4) {
        const p = yRow + (<usize>i << 2);
        v128.store(p, f32x4.max(v128.load(p), zero));
      }
      for (; i < OW * C; i++) {
        const p = yRow + (<usize>i << 2);
        store<f32>(p, max<f32>(load<f32>(p), 0));
      }
    }
  }
}

/**
 * Input gradient onto one channel (the transposed conv to one channel):
 * dx[n,iy,ix] = sum over (kh, kw, oy, ox) with oy*sh+kh-pt = iy and
 * ox*sw+kw-pl = ix of dot(dy[n,oy,ox,:], w[kh,kw,:]). Rows n*H are split by
 * part; each part uses W*16 + W*4 bytes of scratch at scratchBase + part*(W*20).
 */
export function conv1Out(dy: usize, w: usize, dx: usize, scratchBase: usize, N: i32, H: i32, W: i32, OH: i32, OW: i32, C: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, part: i32, parts: i32): void {
  const rows = N * H;
  const r0 = rowStart(rows, part, parts);
  const r1 = rowStart(rows, part + 1, parts);
  const c4 = C & ~3;
  const pix: usize = <usize>C << 2;
  const accV = scratchBase + <usize>part * <usize>W * 20; // W f32x4 partial dot products
  const accS = accV + <usize>W * 16; // W f32 (channels beyond c4)
  for (let r = r0; r < r1; r++) {
    const n = r / H;
    const iy = r - n * H;
    memory.fill(accV, 0, <usize>W * 20);
    for (let kh = 0; kh < KH; kh++) {
      const t = iy + pt - kh;
      if (t < 0 || t % sh != 0) continue;
      const oy = t / sh;
      if (oy >= OH) continue;
      const dyRow = dy + (<usize>n * <usize>OH + <usize>oy) * <usize>OW * pix;
      for (let kw = 0; kw < KW; kw++) {
        const lo = colLo(kw, sw, pl);
        const hi = colHi(kw, sw, pl, W, OW);
        const wt = w + (<usize>(kh * KW + kw) * pix);
        let dp = dyRow + <usize>lo * pix;
        let ix = lo * sw + kw - pl;
        if (c4 == 16 && C == 16) {
          const w0 = v128.load(wt);
          const w1 = v128.load(wt, 16);
          const w2 = v128.load(wt, 32);
          const w3 = v128.load(wt, 48);
          for (let ox = lo; ox < hi; ox++) {
            const s = f32x4.add(
              f32x4.add(f32x4.mul(v128.load(dp), w0), f32x4.mul(v128.load(dp, 16), w1)),
              f32x4.add(f32x4.mul(v128.load(dp, 32), w2), f32x4.mul(v128.load(dp, 48), w3)));
            const ap = accV + (<usize>ix << 4);
            v128.store(ap, f32x4.add(v128.load(ap), s));
            dp += pix;
            ix += sw;
          }
          continue;
        }
        for (let ox = lo; ox < hi; ox++) {
          let s = f32x4.splat(0);
          let c = 0;
          for (; c < c4; c += 4) {
            const off = <usize>c << 2;
            s = f32x4.add(s, f32x4.mul(v128.load(dp + off), v128.load(wt + off)));
          }
          const ap = accV + (<usize>ix << 4);
          v128.store(ap, f32x4.add(v128.load(ap), s));
          if (c < C) {
            let ss: f32 = 0;
            for (; c < C; c++) {
              const off = <usize>c << 2;
              ss += load<f32>(dp + off) * load<f32>(wt + off);
            }
            const sp = accS + (<usize>ix << 2);
            store<f32>(sp, load<f32>(sp) + ss);
          }
          dp += pix;
          ix += sw;
        }
      }
    }
    const out = dx + (<usize>r * <usize>W << 2);
    for (let i = 0; i < W; i++) {
      const v = v128.load(accV + (<usize>i << 4));
      const h = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
      const s = f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
      store<f32>(out + (<usize>i << 2), s + load<f32>(accS + (<usize>i << 2)));
    }
  }
}

/** Bytes of scratch per part of conv1Out. */
export function conv1OutScratchBytes(W: i32): i32 {
  return W * 20;
}

/**
 * Filter gradient with a one-channel input: part q adds
 * sum_{rows of q} x[n, oy*sh+kh-pt, ox*sw+kw-pl] * dy[n,oy,ox,c] into
 * partial[q][kh][kw][c] (f64, KH*KW*C values, zeroed here); rows n*OH are
 * split by part. Sums along a row are f32, rows are added in f64.
 */
export function bpf1(x: usize, dy: usize, partialBase: usize, N: i32, H: i32, W: i32, OH: i32, OW: i32, C: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, part: i32, parts: i32): void {
  const rows = N * OH;
  const r0 = rowStart(rows, part, parts);
  const r1 = rowStart(rows, part + 1, parts);
  const c4 = C & ~3;
  const pix: usize = <usize>C << 2;
  const partial = partialBase + <usize>part * <usize>(KH * KW * C) * 8;
  memory.fill(partial, 0, <usize>(KH * KW * C) * 8);
  for (let r = r0; r < r1; r++) {
    const n = r / OH;
    const oy = r - n * OH;
    const dyRow = dy + <usize>r * <usize>OW * pix;
    for (let kh = 0; kh < KH; kh++) {
      const iy = oy * sh + kh - pt;
      if (iy < 0 || iy >= H) continue;
      const xRow = x + ((<usize>n * <usize>H + <usize>iy) * <usize>W << 2);
      for (let kw = 0; kw < KW; kw++) {
        const lo = colLo(kw, sw, pl);
        const hi = colHi(kw, sw, pl, W, OW);
        if (hi <= lo) continue;
        const pt0 = partial + (<usize>(kh * KW + kw) * <usize>C << 3);
        const xs: usize = <usize>sw << 2;
        const x0 = xRow + (<usize>(lo * sw + kw - pl) << 2);
        let c = 0;
        for (; c + 16 <= c4; c += 16) {
          const off = <usize>c << 2;
          const z = f32x4.splat(0);
          let a0 = z, a1 = z, a2 = z, a3 = z;
          let xp = x0;
          let dp = dyRow + <usize>lo * pix + off;
          for (let ox = lo; ox < hi; ox++) {
            const xv = v128.load32_splat(xp);
            a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(dp)));
            a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(dp, 16)));
            a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(dp, 32)));
            a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(dp, 48)));
            xp += xs;
            dp += pix;
          }
          const pp = pt0 + (<usize>c << 3);
          addLanes(pp, a0);
          addLanes(pp + 32, a1);
          addLanes(pp + 64, a2);
          addLanes(pp + 96, a3);
        }
        for (; c < c4; c += 4) {
          const off = <usize>c << 2;
          let a0 = f32x4.splat(0);
          let xp = x0;
          let dp = dyRow + <usize>lo * pix + off;
          for (let ox = lo; ox < hi; ox++) {
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
            xp += xs;
            dp += pix;
          }
          addLanes(pt0 + (<usize>c << 3), a0);
        }
        for (; c < C; c++) {
          const off = <usize>c << 2;
          let s: f32 = 0;
          let xp = x0;
          let dp = dyRow + <usize>lo * pix + off;
          for (let ox = lo; ox < hi; ox++) {
            s += load<f32>(xp) * load<f32>(dp);
            xp += xs;
            dp += pix;
          }
          const pp = pt0 + (<usize>c << 3);
          store<f64>(pp, load<f64>(pp) + <f64>s);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function addLanes(p: usize, v: v128): void {
  store<f64>(p, load<f64>(p) + <f64>f32x4.extract_lane(v, 0));
  store<f64>(p + 8, load<f64>(p + 8) + <f64>f32x4.extract_lane(v, 1));
  store<f64>(p + 16, load<f64>(p + 16) + <f64>f32x4.extract_lane(v, 2));
  store<f64>(p + 24, load<f64>(p + 24) + <f64>f32x4.extract_lane(v, 3));
}

/** dW[k][c] (f32) = sum over parts of partial[part][k][c] (f64), K = KH*KW*C values. */
export function bpf1Reduce(partialBase: usize, parts: i32, dW: usize, K: i32): void {
  const stride: usize = <usize>K << 3;
  for (let k = 0; k < K; k++) {
    let s: f64 = 0;
    for (let q = 0; q < parts; q++) s += load<f64>(partialBase + <usize>q * stride + (<usize>k << 3));
    store<f32>(dW + (<usize>k << 2), <f32>s);
  }
}
