// Bundle the benchmark so that the timed code runs as plain JavaScript under
// plain `node` (no tsx: a TS loader hook in the process costs V8's typed-array
// fast path, see dsp.bench.ts). Output in dist-bench/, one level below the
// package like src/, so the library's `new URL('../wasm/...', import.meta.url)`
// still finds the package's wasm/ folder. The baseline FFT packages stay
// external and load from node_modules with their own wasm files.
//
// Each implementation is its own entry point and bundle (no code splitting),
// so an isolate that loads two of them gets two private copies of the shared
// baseline code, as two standalone implementations would have.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const outdir = 'dist-bench';
rmSync(new URL(`../${outdir}`, import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: pkg,
  entryPoints: {
    'dsp.bench': 'bench/dsp.bench.ts',
    worker: 'bench/worker.ts',
    'impl-specvae': 'bench/impl/specvae.ts',
    'impl-fftjs': 'bench/impl/fftjs.ts',
    'impl-pffft': 'bench/impl/pffft.ts',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['fft.js', '@echogarden/pffft-wasm', '@echogarden/pffft-wasm/*'],
  sourcemap: 'linked',
  logLevel: 'warning',
});
