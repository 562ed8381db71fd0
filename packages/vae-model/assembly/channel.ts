// Channels-last elementwise and per-channel reduction kernels.
//
// Tensors are viewed as [M, C] (M = every axis but the last). Each kernel
// processes the rows [M*part/parts, M*(part+1)/parts), so callers can split
// the work across threads; reductions write one partial result per part.

// @ts-ignore: decorator
@inline function rowStart(M: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>M * <i64>part) / <i64>parts);
}

const BLOCK: i32 = 64; // rows summed in f32 before flushing into f64

/** Per-channel sums of a: out[part*C + c] (f64) = sum over the part's rows. accBase: C f32 of scratch per part. */
export function chanSum(a: usize, M: i32, C: i32, accBase: usize, out: usize, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const o = out + (<usize>part * <usize>C << 3);
  const rowB: usize = <usize>C << 2;
  const acc = accBase + <usize>part * rowB; // each part has its own accumulators
  for (let c = 0; c < C; c++) store<f64>(o + (<usize>c << 3), 0);
  const c4 = C & ~3;
  for (let b = m0; b < m1; b += BLOCK) {
    const e = min(b + BLOCK, m1);
    memory.fill(acc, 0, rowB);
    let row = a + <usize>b * rowB;
    for (let m = b; m < e; m++) {
      let c = 0;
      for (; c < c4; c += 4) {
        const off = <usize>c << 2;
        v128.store(acc + off, f32x4.add(v128.load(acc + off), v128.load(row + off)));
      }
      for (; c < C; c++) {
        const off = <usize>c << 2;
        store<f32>(acc + off, load<f32>(acc + off) + load<f32>(row + off));
      }
      row += rowB;
    }
    for (let c = 0; c < C; c++) {
      const p = o + (<usize>c << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(acc + (<usize>c << 2)));
    }
  }
}

/**
 * Shifted moments: out[(part*2+0)*C + c] = sum(x - shift[c]),
 * out[(part*2+1)*C + c] = sum((x - shift[c])^2), in f64. accBase: 2*C f32 of scratch per part.
 */
export function chanMoments(x: usize, shift: usize, M: i32, C: i32, accBase: usize, out: usize, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const o1 = out + (<usize>(part * 2) * <usize>C << 3);
  const o2 = o1 + (<usize>C << 3);
  const rowB: usize = <usize>C << 2;
  const acc = accBase + <usize>part * rowB * 2; // each part has its own accumulators
  const acc2 = acc + rowB;
  for (let c = 0; c < C; c++) {
    store<f64>(o1 + (<usize>c << 3), 0);
    store<f64>(o2 + (<usize>c << 3), 0);
  }
  const c4 = C & ~3;
  for (let b = m0; b < m1; b += BLOCK) {
    const e = min(b + BLOCK, m1);
    memory.fill(acc, 0, rowB * 2);
    let row = x + <usize>b * rowB;
    for (let m = b; m < e; m++) {
      let c = 0;
      for (; c < c4; c += 4) {
        const off = <usize>c << 2;
        const v = f32x4.sub(v128.load(row + off), v128.load(shift + off));
        v128.store(acc + off, f32x4.add(v128.load(acc + off), v));
        v128.store(acc2 + off, f32x4.add(v128.load(acc2 + off), f32x4.mul(v, v)));
      }
      for (; c < C; c++) {
        const off = <usize>c << 2;
        const v = load<f32>(row + off) - load<f32>(shift + off);
        store<f32>(acc + off, load<f32>(acc + off) + v);
        store<f32>(acc2 + off, load<f32>(acc2 + off) + v * v);
      }
      row += rowB;
    }
    for (let c = 0; c < C; c++) {
      const p1 = o1 + (<usize>c << 3);
      const p2 = o2 + (<usize>c << 3);
      store<f64>(p1, load<f64>(p1) + <f64>load<f32>(acc + (<usize>c << 2)));
      store<f64>(p2, load<f64>(p2) + <f64>load<f32>(acc2 + (<usize>c << 2)));
    }
  }
}

/**
 * Batch-norm backward sums: out[(part*2+0)*C + c] = sum(dy),
 * out[(part*2+1)*C + c] = sum(dy * (x - mean[c])), in f64. accBase: 2*C f32 of scratch per part.
 */
export function chanDyXSums(dy: usize, x: usize, mean: usize, M: i32, C: i32, accBase: usize, out: usize, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const o1 = out + (<usize>(part * 2) * <usize>C << 3);
  const o2 = o1 + (<usize>C << 3);
  const rowB: usize = <usize>C << 2;
  const acc = accBase + <usize>part * rowB * 2; // each part has its own accumulators
  const acc2 = acc + rowB;
  for (let c = 0; c < C; c++) {
    store<f64>(o1 + (<usize>c << 3), 0);
    store<f64>(o2 + (<usize>c << 3), 0);
  }
  const c4 = C & ~3;
  for (let b = m0; b < m1; b += BLOCK) {
    const e = min(b + BLOCK, m1);
    memory.fill(acc, 0, rowB * 2);
    let off0 = <usize>b * rowB;
    for (let m = b; m < e; m++) {
      const rd = dy + off0;
      const rx = x + off0;
      let c = 0;
      for (; c < c4; c += 4) {
        const off = <usize>c << 2;
        const g = v128.load(rd + off);
        const v = f32x4.sub(v128.load(rx + off), v128.load(mean + off));
        v128.store(acc + off, f32x4.add(v128.load(acc + off), g));
        v128.store(acc2 + off, f32x4.add(v128.load(acc2 + off), f32x4.mul(g, v)));
      }
      for (; c < C; c++) {
        const off = <usize>c << 2;
        const g = load<f32>(rd + off);
        const v = load<f32>(rx + off) - load<f32>(mean + off);
        store<f32>(acc + off, load<f32>(acc + off) + g);
        store<f32>(acc2 + off, load<f32>(acc2 + off) + g * v);
      }
      off0 += rowB;
    }
    for (let c = 0; c < C; c++) {
      const p1 = o1 + (<usize>c << 3);
      const p2 = o2 + (<usize>c << 3);
      store<f64>(p1, load<f64>(p1) + <f64>load<f32>(acc + (<usize>c << 2)));
      store<f64>(p2, load<f64>(p2) + <f64>load<f32>(acc2 + (<usize>c << 2)));
    }
  }
}

/** y = x * a[c] + b[c]. */
export function chanAffine(x: usize, a: usize, b: usize, y: usize, M: i32, C: i32, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const rowB: usize = <usize>C << 2;
  const c4 = C & ~3;
  let off0 = <usize>m0 * rowB;
  if (C == 1) {
    const av = load<f32>(a);
    const bv = load<f32>(b);
    for (let m = m0; m < m1; m++) {
      store<f32>(y + off0, load<f32>(x + off0) * av + bv);
      off0 += 4;
    }
    return;
  }
  for (let m = m0; m < m1; m++) {
    const rx = x + off0;
    const ry = y + off0;
    let c = 0;
    for (; c < c4; c += 4) {
      const off = <usize>c << 2;
      v128.store(ry + off, f32x4.add(f32x4.mul(v128.load(rx + off), v128.load(a + off)), v128.load(b + off)));
    }
    for (; c < C; c++) {
      const off = <usize>c << 2;
      store<f32>(ry + off, load<f32>(rx + off) * load<f32>(a + off) + load<f32>(b + off));
    }
    off0 += rowB;
  }
}

/** y = x + b[c] (bias add). */
export function chanAdd(x: usize, b: usize, y: usize, M: i32, C: i32, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const rowB: usize = <usize>C << 2;
  const c4 = C & ~3;
  let off0 = <usize>m0 * rowB;
  if (C == 1) {
    const bv = load<f32>(b);
    for (let m = m0; m < m1; m++) {
      store<f32>(y + off0, load<f32>(x + off0) + bv);
      off0 += 4;
    }
    return;
  }
  for (let m = m0; m < m1; m++) {
    const rx = x + off0;
    const ry = y + off0;
    let c = 0;
    for (; c < c4; c += 4) {
      const off = <usize>c << 2;
      v128.store(ry + off, f32x4.add(v128.load(rx + off), v128.load(b + off)));
    }
    for (; c < C; c++) {
      const off = <usize>c << 2;
      store<f32>(ry + off, load<f32>(rx + off) + load<f32>(b + off));
    }
    off0 += rowB;
  }
}

/** dx = dy * a[c] + x * b[c] + k[c] (batch-norm input gradient). */
export function chanDyXAffine(dy: usize, x: usize, a: usize, b: usize, k: usize, dx: usize, M: i32, C: i32, part: i32, parts: i32): void {
  const m0 = rowStart(M, part, parts);
  const m1 = rowStart(M, part + 1, parts);
  const rowB: usize = <usize>C << 2;
  const c4 = C & ~3;
  let off0 = <usize>m0 * rowB;
  for (let m = m0; m < m1; m++) {
    const rd = dy + off0;
    const rx = x + off0;
    const ro = dx + off0;
    let c = 0;
    for (; c < c4; c += 4) {
      const off = <usize>c << 2;
      const t = f32x4.add(f32x4.mul(v128.load(rd + off), v128.load(a + off)), f32x4.mul(v128.load(rx + off), v128.load(b + off)));
      v128.store(ro + off, f32x4.add(t, v128.load(k + off)));
    }
    for (; c < C; c++) {
      const off = <usize>c << 2;
      store<f32>(ro + off, load<f32>(rd + off) * load<f32>(a + off) + load<f32>(rx + off) * load<f32>(b + off) + load<f32>(k + off));
    }
    off0 += rowB;
  }
}

// ---------------------------------------------------------------------------
// Flat elementwise kernels over n floats; part splits the range in 4-aligned chunks.

// @ts-ignore: decorator
@inline function flatStart(n: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>(n >> 2) * <i64>part) / <i64>parts) << 2;
}

// @ts-ignore: decorator
@inline function flatEnd(n: i32, part: i32, parts: i32): i32 {
  return part == parts - 1 ? n : flatStart(n, part + 1, parts);
}

/** dx = x > 0 ? dy : 0 (ReLU gradient). */
export function reluGrad(dy: usize, x: usize, dx: usize, n: i32, part: i32, parts: i32): void {
  const i0 = flatStart(n, part, parts);
  const i1 = flatEnd(n, part, parts);
  const zero = f32x4.splat(0);
  let i = i0;
  const e4 = i0 + ((i1 - i0) & ~3);
  for (; i < e4; i += 4) {
    const off = <usize>i << 2;
    v128.store(dx + off, v128.and(v128.load(dy + off), f32x4.gt(v128.load(x + off), zero)));
  }
  for (; i < i1; i++) {
    const off = <usize>i << 2;
    store<f32>(dx + off, load<f32>(x + off) > 0 ? load<f32>(dy + off) : 0);
  }
}

/** y = a + b (same shape). */
export function addSame(a: usize, b: usize, y: usize, n: i32, part: i32, parts: i32): void {
  const i0 = flatStart(n, part, parts);
  const i1 = flatEnd(n, part, parts);
  let i = i0;
  const e4 = i0 + ((i1 - i0) & ~3);
  for (; i < e4; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.add(v128.load(a + off), v128.load(b + off)));
  }
  for (; i < i1; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(a + off) + load<f32>(b + off));
  }
}
