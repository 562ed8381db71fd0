// The demo app. One entry, `assets/specvae-demo.js` (a stable name, for
// embedding: it defines <specvae-demo>); index.html is a page with one such
// element. Relative base, so the build works from any folder of any static
// host. The tfjs-wasm binaries are copied from node_modules into
// `tfjs-wasm/` (and served from there by the dev server): no CDN.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Copies tfjs-backend-wasm's .wasm files to `<outDir>/tfjs-wasm/`, and serves them there in dev. */
export function tfjsWasmFiles(): Plugin {
  const require = createRequire(import.meta.url);
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  return {
    name: 'specvae-tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/tfjs-wasm\/([\w.-]+\.wasm)(\?.*)?$/.exec(req.url ?? '');
        if (!m || !TFJS_WASM_FILES.includes(m[1]!)) return next();
        res.setHeader('content-type', 'application/wasm');
        res.end(readFileSync(join(dist, m[1]!)));
      });
    },
    generateBundle() {
      for (const f of TFJS_WASM_FILES) this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: readFileSync(join(dist, f)) });
    },
  };
}

/** What a served model folder needs (the rest of a CLI checkpoint folder stays out of the build). */
export const MODEL_FILES = ['specvae.json', 'demo-extras.json', 'encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin'];

/** Removes everything but {@link MODEL_FILES} from a model folder; returns what it removed (relative paths). */
export function pruneModelFolder(model: string): string[] {
  const removed: string[] = [];
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && MODEL_FILES.some((f) => f.startsWith(`${r}/`))) {
        walk(join(dir, e.name), r);
      } else if (e.isDirectory() || !MODEL_FILES.includes(r)) {
        rmSync(join(dir, e.name), { recursive: true, force: true });
        removed.push(r);
      }
    }
  };
  walk(model, '');
  return removed;
}

/**
 * The CLI's model folder is also a training checkpoint (optimizer.json,
 * optimizer.bin, state.json next to the model): copied to public/model as it
 * is, only the model's own files go into the build.
 */
export function modelFilesOnly(): Plugin {
  let outDir = '';
  return {
    name: 'specvae-model-files-only',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const removed = pruneModelFolder(join(outDir, 'model'));
      if (removed.length) this.info(`left out of model/: ${removed.join(', ')} (not part of the model)`);
    },
  };
}

/**
 * The libraries' Node-only branches (threaded tfjs-wasm, kernel worker
 * threads) import node: built-ins dynamically, behind a Node check. In the
 * browser they are empty modules (instead of Vite's externalisation warnings).
 */
export function nodeOnlyStubs(): Plugin {
  const STUB = '\0specvae-node-stub';
  return {
    name: 'specvae-node-only-stubs',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:') && importer && /[\\/](vae-model|dsp-wasm)[\\/]dist[\\/]/.test(importer)) return STUB;
      return null;
    },
    load(id) {
      return id === STUB ? 'export default {};' : null;
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  // Whether public/model has the explorer's extras (otherwise the page does not ask for them).
  define: { __SPECVAE_BUILT_IN_EXTRAS__: JSON.stringify(existsSync(join(here, 'public', 'model', 'demo-extras.json'))) },
  plugins: [tfjsWasmFiles(), modelFilesOnly()],
  worker: { format: 'es', plugins: () => [nodeOnlyStubs()] },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      // Vite drops an app entry's exports; the embedding entry keeps embed() and the element class.
      preserveEntrySignatures: 'exports-only',
      input: { index: join(here, 'index.html'), 'specvae-demo': join(here, 'src/specvae-demo.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'specvae-demo' ? 'assets/specvae-demo.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
