// A tiny thread pool for our AssemblyScript kernels on the threaded tfjs-wasm
// build. Its heap is a shared WebAssembly.Memory, so helper workers (Node
// worker_threads or Web Workers) instantiate the same kernels module on the
// same memory and each runs one part of a kernel call: the main thread writes
// the call into a control block on the heap, wakes the helpers with
// Atomics.notify, runs part 0 itself, then waits for the others.

/** Layout of the control block (Int32 words). */
const GEN = 0; // call generation, bumped per call (helpers wait on it)
const FN = 1; // export index, -1 = shut down
const NARGS = 2;
const PARTS = 3;
const DONE = 4; // helpers that finished this call
const ERR = 5; // set by a helper whose part threw
const ARGS = 8;
const MAX_ARGS = 32;
const CTL_WORDS = ARGS + MAX_ARGS;

// The helper's code, run as a CommonJS worker in Node or a classic Web Worker.
const WORKER_SOURCE = `
'use strict';
function start(d) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const ex = inst.exports;
  const fns = d.names.map((n) => ex[n]);
  const ctl = new Int32Array(d.memory.buffer, d.ctl, ${CTL_WORDS});
  const part = d.part;
  let seen = Atomics.load(ctl, ${GEN});
  // Only now may the pool issue calls: a call bumped before this read would be missed.
  d.ready();
  for (;;) {
    Atomics.wait(ctl, ${GEN}, seen);
    const gen = Atomics.load(ctl, ${GEN});
    if (gen === seen) continue;
    seen = gen;
    const fn = ctl[${FN}];
    if (fn < 0) return;
    const parts = ctl[${PARTS}];
    if (part < parts) {
      try {
        const n = ctl[${NARGS}];
        const a = new Array(n + 2);
        for (let i = 0; i < n; i++) a[i] = ctl[${ARGS} + i];
        a[n] = part;
        a[n + 1] = parts;
        fns[fn].apply(null, a);
      } catch (e) {
        Atomics.store(ctl, ${ERR}, 1);
      }
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
    }
  }
}
if (typeof process === 'object' && process.versions && process.versions.node) {
  const { parentPort } = require('worker_threads');
  parentPort.once('message', (d) => { d.ready = () => parentPort.postMessage('ready'); start(d); });
} else {
  self.onmessage = (e) => { const d = e.data; d.ready = () => self.postMessage('ready'); start(d); };
}
`;

interface WorkerLike {
  postMessage(m: unknown): void;
  /** Resolves when the helper is waiting for calls. */
  ready: Promise<void>;
  terminate(): unknown;
  unref?(): void;
}

export interface KernelPool {
  /** Total threads, including the calling one. */
  readonly threads: number;
  run(fnIndex: number, args: number[], parts: number, runLocal: (part: number, parts: number) => void): void;
  dispose(): void;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
const canWaitOnMain = isNode; // browsers forbid Atomics.wait on the main thread

/**
 * Starts `threads - 1` helpers on a shared memory. `ctlPtr` is a heap block of
 * CTL_BYTES bytes, 4-aligned, owned by the caller.
 */
export async function createKernelPool(module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[],
  threads: number, ctlPtr: number): Promise<KernelPool> {
  const ctl = (): Int32Array => new Int32Array(memory.buffer, ctlPtr, CTL_WORDS);
  ctl().fill(0);
  const workers: WorkerLike[] = [];
  for (let i = 1; i < threads; i++) {
    let w: WorkerLike;
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      const nw = new Worker(WORKER_SOURCE, { eval: true });
      // Referenced until it reports ready (so Node waits for it), then unref'd:
      // an idle helper must not keep the process alive.
      const ready = new Promise<void>((resolve, reject) => {
        nw.once('message', () => {
          nw.unref();
          resolve();
        });
        nw.once('error', reject);
      });
      w = Object.assign(nw, { ready }) as unknown as WorkerLike;
    } else {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const ww = new Worker(url);
      const ready = new Promise<void>((resolve, reject) => {
        ww.addEventListener('message', () => resolve(), { once: true });
        ww.addEventListener('error', (e) => reject(new Error(`kernel helper failed to start: ${e.message}`)), { once: true });
      });
      w = Object.assign(ww, { ready }) as unknown as WorkerLike;
    }
    w.postMessage({ module, memory, names: [...names], ctl: ctlPtr, part: i });
    workers.push(w);
  }
  // A helper that is not yet waiting would miss the first call (and the pool would hang).
  await Promise.all(workers.map((w) => w.ready));
  let disposed = false;
  return {
    threads,
    run(fnIndex, args, parts, runLocal) {
      if (disposed) throw new Error('kernel pool disposed');
      const helpers = Math.min(parts, threads) - 1;
      if (helpers <= 0 || args.length > MAX_ARGS) {
        for (let p = 0; p < parts; p++) runLocal(p, parts);
        return;
      }
      const c = ctl();
      c[FN] = fnIndex;
      c[NARGS] = args.length;
      for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i]! | 0;
      c[PARTS] = helpers + 1;
      Atomics.store(c, DONE, 0);
      Atomics.store(c, ERR, 0);
      Atomics.add(c, GEN, 1);
      Atomics.notify(c, GEN);
      runLocal(0, helpers + 1);
      for (;;) {
        const done = Atomics.load(c, DONE);
        if (done >= helpers) break;
        if (canWaitOnMain) Atomics.wait(c, DONE, done, 1000);
      }
      if (Atomics.load(c, ERR) !== 0) throw new Error('vae-model kernels: a helper thread failed');
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      const c = ctl();
      c[FN] = -1;
      Atomics.add(c, GEN, 1);
      Atomics.notify(c, GEN);
      for (const w of workers) void w.terminate();
    },
  };
}

export const CTL_BYTES = CTL_WORDS * 4;
