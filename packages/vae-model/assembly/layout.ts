// Data-movement kernels working directly on the tfjs-wasm heap (byte pointers).

/**
 * dst[c][h][w][n] = src[n][h][w][c] for h < H2, w < W2
 * (src is [N, H, W, C], dst is [C, H2, W2, N]; H2 <= H and W2 <= W crop).
 */
export function transposeNPCtoCPN(src: usize, dst: usize, N: i32, H: i32, W: i32, C: i32, H2: i32, W2: i32): void {
  const srcN: usize = <usize>H * <usize>W * <usize>C * 4; // byte stride of n in src
  const dstC: usize = <usize>H2 * <usize>W2 * <usize>N * 4; // byte stride of c in dst
  const n4 = N & ~3;
  const c4 = C & ~3;
  for (let h = 0; h < H2; h++) {
    for (let w = 0; w < W2; w++) {
      const s0 = src + (<usize>h * <usize>W + <usize>w) * <usize>C * 4;
      const d0 = dst + (<usize>h * <usize>W2 + <usize>w) * <usize>N * 4;
      let n = 0;
      for (; n < n4; n += 4) {
        const r0 = s0 + <usize>n * srcN;
        const r1 = r0 + srcN;
        const r2 = r1 + srcN;
        const r3 = r2 + srcN;
        let c = 0;
        for (; c < c4; c += 4) {
          const o = <usize>c << 2;
          const a = v128.load(r0 + o);
          const b = v128.load(r1 + o);
          const cc = v128.load(r2 + o);
          const d = v128.load(r3 + o);
          const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
          const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
          const t2 = i32x4.shuffle(cc, d, 0, 4, 1, 5);
          const t3 = i32x4.shuffle(cc, d, 2, 6, 3, 7);
          const wp = d0 + <usize>c * dstC + (<usize>n << 2);
          v128.store(wp, i64x2.shuffle(t0, t2, 0, 2));
          v128.store(wp + dstC, i64x2.shuffle(t0, t2, 1, 3));
          v128.store(wp + 2 * dstC, i64x2.shuffle(t1, t3, 0, 2));
          v128.store(wp + 3 * dstC, i64x2.shuffle(t1, t3, 1, 3));
        }
        for (; c < C; c++) {
          const o = <usize>c << 2;
          const wp = d0 + <usize>c * dstC + (<usize>n << 2);
          store<f32>(wp, load<f32>(r0 + o));
          store<f32>(wp + 4, load<f32>(r1 + o));
          store<f32>(wp + 8, load<f32>(r2 + o));
          store<f32>(wp + 12, load<f32>(r3 + o));
        }
      }
      for (; n < N; n++) {
        const r = s0 + <usize>n * srcN;
        for (let c = 0; c < C; c++) {
          store<f32>(d0 + <usize>c * dstC + (<usize>n << 2), load<f32>(r + (<usize>c << 2)));
        }
      }
    }
  }
}

/** dst[p][n][:] = src[n][p][:]  (src is [N, P, C], dst is [P, N, C]). */
export function transposeNPCtoPNC(src: usize, dst: usize, N: i32, P: i32, C: i32): void {
  const row: usize = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    let s = src + <usize>n * <usize>P * row;
    let d = dst + <usize>n * row;
    const dStep: usize = <usize>N * row;
    if ((C & 3) == 0) {
      for (let p = 0; p < P; p++) {
        for (let o: usize = 0; o < row; o += 16) v128.store(d + o, v128.load(s + o));
        s += row; d += dStep;
      }
    } else {
      for (let p = 0; p < P; p++) {
        memory.copy(d, s, row);
        s += row; d += dStep;
      }
    }
  }
}

/**
 * Sub-pixel scatter: dst[n][q*sy+ry][j*sx+rx][:] = src[n][q][j][:]
 * src is [N, Q, J, C], dst is [N, OH, OW, C].
 */
export function scatterPhase(src: usize, dst: usize, N: i32, Q: i32, J: i32, C: i32,
                             OH: i32, OW: i32, sy: i32, sx: i32, ry: i32, rx: i32): void {
  const row: usize = <usize>C << 2;
  const dstPix: usize = <usize>sx * row;
  for (let n = 0; n < N; n++) {
    for (let q = 0; q < Q; q++) {
      let s = src + ((<usize>n * <usize>Q + <usize>q) * <usize>J) * row;
      let d = dst + ((<usize>n * <usize>OH + <usize>(q * sy + ry)) * <usize>OW + <usize>rx) * row;
      if ((C & 3) == 0) {
        for (let j = 0; j < J; j++) {
          for (let o: usize = 0; o < row; o += 16) v128.store(d + o, v128.load(s + o));
          s += row; d += dstPix;
        }
      } else if (C == 1) {
        for (let j = 0; j < J; j++) {
          store<f32>(d, load<f32>(s));
          s += 4; d += dstPix;
        }
      } else {
        for (let j = 0; j < J; j++) {
          memory.copy(d, s, row);
          s += row; d += dstPix;
        }
      }
    }
  }
}
