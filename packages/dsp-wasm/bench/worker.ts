// A benchmark worker: one V8 isolate that loads the implementations named in
// workerData (normally one) from their bundles next to this one, and runs the
// timed tasks the orchestrator asks for, one request at a time. Bundled to
// dist-bench/worker.mjs and run by plain node (see build.mjs).
//
// Nothing here detaches an ArrayBuffer or grows a WASM memory (replies are
// structured-cloned, never transferred), so in a baseline's isolate V8's
// typed-array fast path stays intact unless the baseline itself breaks it;
// the 'probe' request checks that at the end of the run.
import { parentPort, workerData } from 'node:worker_threads';
import {
  TASK_ORDER, viewsOf,
  type Impl, type ImplFactory, type ImplName, type ProbeResult, type Reply, type Request, type WorkerInit,
} from './shared.js';

const port = parentPort;
if (port === null) throw new Error('bench/worker: not running in a worker thread');
const init = workerData as WorkerInit;

function send(msg: Reply): void {
  port!.postMessage(msg);
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

const impls = new Map<ImplName, Impl>();
try {
  const data = viewsOf(init.data);
  for (const name of init.impls) {
    // A computed specifier, so esbuild leaves the import alone and each
    // implementation is loaded from its own bundle.
    const url = new URL(`./impl-${name}.mjs`, import.meta.url).href;
    const mod = (await import(url)) as { default: ImplFactory };
    impls.set(name, await mod.default(data));
  }
  send({ kind: 'ready', labels: Object.fromEntries([...impls].map(([k, v]) => [k, v.label])) });
} catch (e) {
  send({ kind: 'load-failed', error: errorText(e) });
}

function impl(name: ImplName): Impl {
  const it = impls.get(name);
  if (it === undefined) throw new Error(`implementation ${name} is not loaded in this worker`);
  return it;
}

/** One untimed pass of every task of every implementation, in load order. */
function warmup(): number {
  const t = performance.now();
  for (const it of impls.values()) {
    for (const task of TASK_ORDER) it.tasks[task]?.();
  }
  return performance.now() - t;
}

// ---- end-of-run probe of the isolate-wide typed-array fast path ------------------
const probeA = new Float32Array(4096);
for (let i = 0; i < probeA.length; i++) probeA[i] = Math.sin(i);
function probeSum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
function probeTime(): number {
  let best = Infinity;
  for (let r = 0; r < 13; r++) {
    const t = performance.now();
    let s = 0;
    for (let k = 0; k < 4000; k++) s += probeSum(probeA);
    const ms = performance.now() - t;
    if (s === 42) throw new Error('unreachable'); // keep s alive
    if (r >= 3) best = Math.min(best, ms);
  }
  return best;
}
function probe(): ProbeResult {
  const before = probeTime();
  const ab = new ArrayBuffer(8);
  structuredClone(ab, { transfer: [ab] }); // detaches ab: invalidates the protector if it was intact
  const after = probeTime();
  return { before, after };
}

port.on('message', (req: Request) => {
  try {
    let value: unknown;
    switch (req.cmd) {
      case 'warmup':
        value = warmup();
        break;
      case 'run': {
        const fn = impl(req.impl).tasks[req.task];
        if (fn === undefined) throw new Error(`${req.impl} has no task ${req.task}`);
        value = fn();
        break;
      }
      case 'db':
        value = impl(req.impl).db(req.clip);
        break;
      case 'probe':
        value = probe();
        break;
    }
    send({ kind: 'result', id: req.id, value });
  } catch (e) {
    send({ kind: 'error', id: req.id, error: errorText(e) });
  }
});
