// Selects the tfjs WASM backend (SIMD, and in Node the threaded build) and
// makes it able to train our conv VAEs: importing this module registers the
// training kernels (see ./kernels/register.ts); `initBackend()` / `ready()`
// selects the backend and prepares the kernels.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers registers all of tfjs-core's gradients (in Node and in bundles).
import '@tensorflow/tfjs-layers';
import { BackendWasm, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './kernels/register.js';
import { asWasmBackend, isSharedMemory, kernelThreads, prepareKernels, wasmMemoryOf } from './kernels/heap.js';

export interface BackendOptions {
  /**
   * Threads for XNNPACK (the convolutions and matmuls). In Node the threaded
   * SIMD build of tfjs-wasm is loaded when this is > 1 (default: the number of
   * cores, at most 8). In browsers tfjs decides (threads need cross-origin
   * isolation) and this only sets tfjs' thread count.
   */
  threads?: number;
  /**
   * Browsers: where the tfjs-wasm .wasm files are served (a URL prefix ending in
   * '/', or a map of file names to URLs), passed to `setWasmPaths`. In Node the
   * files are read from node_modules/@tensorflow/tfjs-backend-wasm/dist.
   */
  wasmPaths?: string | Partial<Record<WasmBinaryName, string>>;
}

type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

export interface BackendInfo {
  backend: 'wasm';
  /**
   * tfjs-wasm runs one of its SIMD builds (detected: the runtime validates a
   * SIMD module and tfjs' WASM_HAS_SIMD_SUPPORT flag is on). Our training
   * kernels are SIMD code too, so initBackend refuses a runtime without SIMD.
   */
  simd: boolean;
  /** Threads XNNPACK uses. */
  threads: number;
  /** Threads our kernels use. */
  kernelThreads: number;
  /** Which tfjs-wasm binary runs. */
  build: 'threaded-simd' | 'simd' | 'plain';
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * A minimal module whose one function uses a SIMD instruction
 * (i32.const 0; i8x16.splat; drop): it validates only where WebAssembly
 * fixed-width SIMD is supported.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x1a, 0x0b, // code: i32.const 0, i8x16.splat, drop, end
]);

/** Whether this JavaScript runtime supports WebAssembly SIMD. */
export function detectWasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Our kernels replace or add to tfjs-wasm's for the 'wasm' backend.
registerTrainingKernels();

// ---------------------------------------------------------------------------
// Node: the threaded SIMD build.
//
// tfjs-wasm disables threads in Node (tfjs issue 3830) because its loader
// hands emscripten Blob URLs for the worker script, which Node's Worker cannot
// load. The emscripten glue itself supports Node worker_threads, so we load
// the threaded build ourselves: the worker script goes to a temp file, and the
// main script is the factory's own file. tfjs also caps its XNNPACK thread pool
// at navigator.hardwareConcurrency / 2 ("hyper-threads"): on a 2-core machine
// that is 1 thread, so we report twice the thread count we want to it.

interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  wasmMemory: WebAssembly.Memory;
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

async function defaultThreads(): Promise<number> {
  let n: number | undefined;
  if (isNode) {
    const os = await import('node:os');
    n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else {
    n = globalThis.navigator?.hardwareConcurrency;
  }
  return Math.max(1, Math.min(8, n ?? 1));
}

async function nodeWasmDir(): Promise<{ pkgDir: string; require: NodeJS.Require }> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return { pkgDir, require };
}

async function createThreadedModuleNode(threads: number): Promise<ThreadedModule> {
  const { pkgDir, require } = await nodeWasmDir();
  const path = await import('node:path');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const factoryPath = path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerSrc = path.join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  const wasmFile = path.join(pkgDir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = require(factoryPath) as Factory;
  const { wasmWorkerContents } = require(workerSrc) as { wasmWorkerContents: string };
  // Same escaping as tfjs' own loader: the contents are a template literal.
  const contents = wasmWorkerContents.replace(/\n/g, '\\n');
  const version = (require(path.join(pkgDir, 'package.json')) as { version: string }).version;
  const workerFile = path.join(os.tmpdir(), `specvae-tfjs-wasm-${version}-threaded-simd.worker.cjs`);
  let current: string | undefined;
  try { current = fs.readFileSync(workerFile, 'utf8'); } catch { current = undefined; }
  if (current !== contents) {
    const tmp = `${workerFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, contents);
    fs.renameSync(tmp, workerFile);
  }
  const wasmModule = await WebAssembly.compile(fs.readFileSync(wasmFile));
  // The emscripten glue installs process-wide uncaughtException/unhandledRejection
  // handlers that rethrow (printing its whole minified source line); undo that.
  const before = {
    uncaughtException: new Set(process.listeners('uncaughtException')),
    unhandledRejection: new Set(process.listeners('unhandledRejection')),
  };
  const mod = await factory({
    mainScriptUrlOrBlob: factoryPath,
    locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : p.endsWith('.wasm') ? wasmFile : p),
    instantiateWasm: (
      info: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      info.env['emscripten_num_logical_cores'] = () => 2 * threads;
      void WebAssembly.instantiate(wasmModule, info as unknown as WebAssembly.Imports).then(
        (instance) => receive(instance, wasmModule),
      );
      return {};
    },
  });
  for (const l of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.has(l)) process.removeListener('uncaughtException', l);
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.has(l)) process.removeListener('unhandledRejection', l);
  }
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
  return mod;
}

/**
 * XNNPACK's pool threads run for the life of the process; emscripten ref()s
 * their Node workers when they start, which keeps Node from exiting. They hold
 * no work of their own, so let Node exit without them.
 */
function unrefWorkers(mod: ThreadedModule): void {
  const pt = (mod as unknown as { PThread?: { runningWorkers?: { unref?(): void }[]; unusedWorkers?: { unref?(): void }[] } }).PThread;
  for (const w of [...(pt?.runningWorkers ?? []), ...(pt?.unusedWorkers ?? [])]) w.unref?.();
}

// ---------------------------------------------------------------------------

let initPromise: Promise<BackendInfo> | undefined;
let initOptions: BackendOptions | undefined;

function engineRegistry(): Record<string, unknown> {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
}

async function doInit(opts: BackendOptions): Promise<BackendInfo> {
  if (!detectWasmSimd()) {
    throw new Error('vae-model: this JavaScript runtime has no WebAssembly SIMD, which the training kernels need (Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4 have it)');
  }
  // tfjs' own flag decides which of its binaries it loads (it can be turned off).
  const tfjsSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Math.max(1, Math.floor(opts.threads ?? (await defaultThreads())));
  let build: BackendInfo['build'] = tfjsSimd ? 'simd' : 'plain';
  const alreadyUp = engineRegistry()['wasm'] !== undefined;
  if (!alreadyUp) {
    if (isNode) {
      const { pkgDir } = await nodeWasmDir();
      setWasmPaths(`${pkgDir}/dist/`);
      if (threads > 1 && tfjsSimd) {
        try {
          const mod = await createThreadedModuleNode(threads);
          setThreadsCount(threads);
          tf.removeBackend('wasm');
          tf.registerBackend('wasm', () => {
            const b = new BackendWasm(mod as unknown as ConstructorParameters<typeof BackendWasm>[0]);
            unrefWorkers(mod);
            return b;
          }, 2);
          build = 'threaded-simd';
        } catch (e) {
          console.warn(`vae-model: threaded tfjs-wasm failed to load (${String(e)}); using the single-threaded SIMD build`);
        }
      }
    } else {
      if (opts.wasmPaths !== undefined) setWasmPaths(opts.wasmPaths as Parameters<typeof setWasmPaths>[0]);
      setThreadsCount(threads);
    }
  }
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') throw new Error('vae-model: could not initialise the tfjs wasm backend');
  const backend = tf.backend() as BackendWasm;
  const memory = wasmMemoryOf(backend);
  // The threaded build is the only one with a shared heap (and tfjs has no threaded non-SIMD build).
  if (isSharedMemory(memory)) build = 'threaded-simd';
  else if (build === 'threaded-simd') build = tfjsSimd ? 'simd' : 'plain';
  let actualThreads = 1;
  try {
    actualThreads = (backend.wasm.tfjs as unknown as { getThreadsCount(): number }).getThreadsCount();
  } catch {
    actualThreads = 1;
  }
  await prepareKernels(asWasmBackend(backend), isSharedMemory(memory) ? threads : 1);
  return { backend: 'wasm', simd: build !== 'plain', threads: actualThreads, kernelThreads: kernelThreads(asWasmBackend(backend)), build };
}

/**
 * Selects the tfjs `wasm` backend (SIMD; threaded in Node), with our training
 * kernels. Idempotent: later calls return the first call's result (their
 * options are ignored).
 */
export function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  if (initPromise === undefined) {
    initOptions = opts;
    initPromise = doInit(opts).catch((e: unknown) => {
      initPromise = undefined;
      throw e;
    });
  }
  return initPromise;
}

/** `initBackend()` with default options. */
export function ready(): Promise<BackendInfo> {
  return initBackend(initOptions ?? {});
}
