// Conv2DBackpropFilter as a GEMM with a huge reduction:
//   dW[r, co] = sum_p A[p, r] * dy[p, co],  r = (kh*KW + kw)*Ci + ci,
// where p runs over all N*OH*OW output pixels and A is the im2col of x.
// The pixels are processed in chunks of up to CH: the chunk's A (im2col) rows are
// packed pixel by pixel (for each kernel row, the taps inside x are one
// contiguous run of x, copied as is), its dy rows into 8-column panels, then
// a 4x8 register-blocked micro-kernel (8 f32x4 accumulators: the most V8's 15
// usable xmm registers hold with the 6 loaded values live per pixel; larger
// tiles spill) accumulates into dW.

const CH: i32 = 128; // pixels per chunk

/** Bytes of scratch one part of bpfGemm needs. */
export function bpfScratchBytes(K: i32, Co: i32): i32 {
  const K4 = (K + 3) & ~3;
  const Co8 = (Co + 7) & ~7;
  return (K4 + Co8) * CH * 4;
}

/**
 * One part of dW = im2col(x)^T dy, split by pixels. Part q writes its partial result, a
 * [K4, Co8] f32 matrix (K4 = K rounded up to 4, Co8 = Co rounded up to 8), at
 * outBase + q*K4*Co8*4, and uses bpfScratchBytes(K, Co) bytes of scratch at
 * scratchBase + q*bpfScratchBytes(K, Co).
 */
export function bpfGemm(x: usize, dy: usize, outBase: usize, scratchBase: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, part: i32, parts: i32): void {
  const K = KH * KW * Ci;
  const K4 = (K + 3) & ~3;
  const Co8 = (Co + 7) & ~7;
  const P = N * OH * OW;
  const p0 = <i32>((<i64>P * <i64>part) / <i64>parts);
  const p1 = <i32>((<i64>P * <i64>(part + 1)) / <i64>parts);
  gemmRange(x, dy, outBase + <usize>part * <usize>K4 * <usize>Co8 * 4, scratchBase + <usize>part * <usize>bpfScratchBytes(K, Co),
    H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, p0, p1, 0, K4);
}

/**
 * One part of dW = im2col(x)^T dy, split by rows of dW: part q computes rows
 * [4*b0, 4*b1) of the [K4, Co8] result at `out` (shared by all parts, each
 * writing only its rows) over all pixels, so no partial sums and no
 * reduction; it packs only its rows of im2col (dy is packed by every part).
 * Scratch as bpfGemm's.
 */
export function bpfGemmRows(x: usize, dy: usize, out: usize, scratchBase: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, part: i32, parts: i32): void {
  const K = KH * KW * Ci;
  const blocks = (K + 3) >> 2;
  const b0 = <i32>((<i64>blocks * <i64>part) / <i64>parts);
  const b1 = <i32>((<i64>blocks * <i64>(part + 1)) / <i64>parts);
  if (b1 <= b0) return;
  gemmRange(x, dy, out, scratchBase + <usize>part * <usize>bpfScratchBytes(K, Co),
    H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, 0, N * OH * OW, b0 << 2, b1 << 2);
}

/** dst[0..n) = 0 (floats). */
@inline function zeroF(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** dst[0..n) = src[0..n) (floats). */
@inline function copyF(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
  }
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * Rows [rBegin, rEnd) (multiples of 4) of out [K4, Co8] = sum over pixels
 * [p0, p1) of im2col(x)[p, r] * dy[p, c]; out's rows in range are zeroed first.
 */
function gemmRange(x: usize, dy: usize, out: usize, scratch: usize,
  H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, pt: i32, pl: i32, p0: i32, p1: i32, rBegin: i32, rEnd: i32): void {
  const K = KH * KW * Ci;
  const K4 = (K + 3) & ~3;
  const Co8 = (Co + 7) & ~7;
  const width = rEnd - rBegin;
  // S: bytes per packed im2col row. If S is a multiple of 256, the micro-kernel's
  // 16-byte reads at the same column of consecutive pixels fall into a few L1
  // sets; then a row gets one 64-byte line more, when bpfScratchBytes(K, Co)
  // (unchanged: the same scratch as the panel layout had) still holds CH such
  // pixels (a part of a row split), or with fewer pixels per chunk when the
  // range has many pixels (otherwise the rows stay unpadded).
  let S = width << 2;
  let ch = CH;
  if ((S & 255) == 0) {
    const fit = (K4 + Co8) * CH * 4 / (S + 64 + Co8 * 4);
    if (fit >= CH || p1 - p0 >= 8 * CH) {
      S += 64;
      ch = min(CH, fit);
    }
  }
  const Apack = scratch; // [ch][S/4]: im2col rows of the chunk's pixels, columns rBegin..rEnd
  const Bpack = scratch + <usize>ch * <usize>S; // [Co8/8][ch][8]
  memory.fill(out + <usize>rBegin * <usize>Co8 * 4, 0, <usize>width * <usize>Co8 * 4);
  const panelB: usize = <usize>ch * 32; // bytes per B panel
  const rowX: usize = <usize>W * <usize>Ci * 4;
  const imgX: usize = <usize>H * rowX;
  const segK = KW * Ci; // floats of one kernel row (kh) in an im2col row
  const kEnd = min(K, rEnd);
  let n = p0 / (OH * OW);
  let rem = p0 - n * OH * OW;
  let oy = rem / OW;
  let ox = rem - oy * OW;
  for (let c0 = p0; c0 < p1; c0 += ch) {
    const np = min(ch, p1 - c0);
    // --- pack A (im2col): Apack[p][r - rBegin] for r in [rBegin, rEnd). For one
    // kernel row kh, the taps kw that fall inside x are one contiguous run of x.
    for (let p = 0; p < np; p++) {
      const row = Apack + <usize>p * <usize>S;
      const xImg = x + <usize>n * imgX;
      const ixBase = ox * sw - pl;
      const kwLo = max(0, -ixBase);
      const kwHi = min(KW, W - ixBase);
      for (let kh = 0; kh < KH; kh++) {
        const r0 = kh * segK;
        const a = max(r0, rBegin);
        const b = min(r0 + segK, rEnd);
        if (a >= b) continue;
        const iy = oy * sh + kh - pt;
        // inside run: rows [r0 + kwLo*Ci, r0 + kwHi*Ci)
        let ia = r0 + kwLo * Ci;
        let ib = r0 + kwHi * Ci;
        if (iy < 0 || iy >= H || kwHi <= kwLo) { ia = b; ib = b; }
        ia = min(max(ia, a), b);
        ib = min(max(ib, ia), b);
        const dst = row + (<usize>(a - rBegin) << 2);
        zeroF(dst, ia - a);
        if (ib > ia) {
          // r = r0 + kw*Ci + ci maps to x[n, iy, ixBase + kw, ci] = xRow + (ixBase*Ci + r - r0)
          const src = xImg + <usize>iy * rowX + (<usize>(ixBase * Ci + ia - r0) << 2);
          copyF(row + (<usize>(ia - rBegin) << 2), src, ib - ia);
        }
        zeroF(row + (<usize>(ib - rBegin) << 2), b - ib);
      }
      if (rEnd > kEnd) zeroF(row + (<usize>(max(kEnd, rBegin) - rBegin) << 2), rEnd - max(kEnd, rBegin));
      ox++;
      if (ox == OW) { ox = 0; oy++; if (oy == OH) { oy = 0; n++; } }
    }
    // --- pack B (dy rows of this chunk) into 8-column panels: Bpack[c>>3][p][c&7]
    const dyChunk = dy + <usize>c0 * <usize>Co * 4;
    for (let p = 0; p < np; p++) {
      const src = dyChunk + <usize>p * <usize>Co * 4;
      const pOff = <usize>p << 5;
      let c = 0;
      if ((Co & 3) == 0) {
        for (; c < Co; c += 4) {
          v128.store(Bpack + <usize>(c >> 3) * panelB + pOff + (<usize>(c & 7) << 2), v128.load(src + (<usize>c << 2)));
        }
      } else {
        for (; c < Co; c++) {
          store<f32>(Bpack + <usize>(c >> 3) * panelB + pOff + (<usize>(c & 7) << 2), load<f32>(src + (<usize>c << 2)));
        }
      }
      for (; c < Co8; c++) {
        store<f32>(Bpack + <usize>(c >> 3) * panelB + pOff + (<usize>(c & 7) << 2), 0);
      }
    }
    // --- micro-kernel: out[r..r+4][c..c+8] += sum_p A[p][r..r+4]^T B[p][c..c+8]
    const rowO: usize = <usize>Co8 * 4;
    const sA: usize = <usize>S;
    for (let r = rBegin; r < rEnd; r += 4) {
      const aCol = Apack + (<usize>(r - rBegin) << 2);
      for (let c = 0; c < Co8; c += 8) {
        const bPanel = Bpack + <usize>(c >> 3) * panelB;
        const bEnd = bPanel + (<usize>np << 5);
        const o0 = out + (<usize>r * <usize>Co8 + <usize>c) * 4;
        // Chunk sums start from 0 and are added to the running total after the
        // chunk: the f32 error grows with sqrt(CH) + sqrt(P / CH), not sqrt(P).
        const z = f32x4.splat(0);
        let a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
        let pa = aCol;
        let pb = bPanel;
        while (pb < bEnd) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const x0 = v128.load32_splat(pa);
          const x1 = v128.load32_splat(pa, 4);
          const x2 = v128.load32_splat(pa, 8);
          const x3 = v128.load32_splat(pa, 12);
          a00 = f32x4.add(a00, f32x4.mul(x0, b0));
          a01 = f32x4.add(a01, f32x4.mul(x0, b1));
          a10 = f32x4.add(a10, f32x4.mul(x1, b0));
          a11 = f32x4.add(a11, f32x4.mul(x1, b1));
          a20 = f32x4.add(a20, f32x4.mul(x2, b0));
          a21 = f32x4.add(a21, f32x4.mul(x2, b1));
          a30 = f32x4.add(a30, f32x4.mul(x3, b0));
          a31 = f32x4.add(a31, f32x4.mul(x3, b1));
          pa += sA;
          pb += 32;
        }
        v128.store(o0, f32x4.add(v128.load(o0), a00));
        v128.store(o0, f32x4.add(v128.load(o0, 16), a01), 16);
        v128.store(o0 + rowO, f32x4.add(v128.load(o0 + rowO), a10));
        v128.store(o0 + rowO, f32x4.add(v128.load(o0 + rowO, 16), a11), 16);
        v128.store(o0 + 2 * rowO, f32x4.add(v128.load(o0 + 2 * rowO), a20));
        v128.store(o0 + 2 * rowO, f32x4.add(v128.load(o0 + 2 * rowO, 16), a21), 16);
        v128.store(o0 + 3 * rowO, f32x4.add(v128.load(o0 + 3 * rowO), a30));
        v128.store(o0 + 3 * rowO, f32x4.add(v128.load(o0 + 3 * rowO, 16), a31), 16);
      }
    }
  }
}

/**
 * dW[r][co] = sum over parts of partial[part][r][co] for r < K, co < Co
 * (partials are [K4, Co8] each, laid out back to back).
 */
export function bpfReduce(partials: usize, parts: i32, dW: usize, K: i32, Co: i32): void {
  const K4 = (K + 3) & ~3;
  const Co8 = (Co + 7) & ~7;
  const stride: usize = <usize>K4 * <usize>Co8 * 4;
  for (let r = 0; r < K; r++) {
    for (let c = 0; c < Co; c++) {
      const off = (<usize>r * <usize>Co8 + <usize>c) << 2;
      let s: f32 = 0;
      for (let q = 0; q < parts; q++) s += load<f32>(partials + <usize>q * stride + off);
      store<f32>(dW + ((<usize>r * <usize>Co + <usize>c) << 2), s);
    }
  }
}
