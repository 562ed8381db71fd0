// Bump allocator over linear memory. JS owns the lifetime: long-lived plans
// are allocated first, per-call scratch between mark() and release().
// No managed objects exist in this module (runtime "stub"), so nothing else
// allocates from the heap.

let top: usize = 0;

// @ts-ignore: decorator
@inline function ensureInit(): void {
  if (top == 0) top = (__heap_base + 15) & ~(<usize>15);
}

/** Allocates `bytes` (16-byte aligned). Returns 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  ensureInit();
  const ptr = top;
  // 16 bytes of slack: a 4-lane load that starts on the last element of a
  // buffer may read (and ignore) up to 12 bytes past its end.
  const end = (ptr + bytes + 31) & ~(<usize>15);
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  top = end;
  return ptr;
}

/** Current top of the arena, to hand back to release(). */
export function mark(): usize {
  ensureInit();
  return top;
}

/** Frees everything allocated after `m` was taken. */
export function release(m: usize): void {
  ensureInit();
  if (m >= ((__heap_base + 15) & ~(<usize>15)) && m <= top) top = m;
}

/** Bytes currently allocated. */
export function used(): usize {
  ensureInit();
  return top - ((__heap_base + 15) & ~(<usize>15));
}
