// Where the demo's files are, relative to the built JavaScript (all chunks
// live in `assets/`; in dev this module is `src/urls.ts`): `model/` and
// `tfjs-wasm/` sit next to `assets/`, so the build works from any folder of
// any static host, and from another page that embeds it.
const MODEL_DIR = '../model/';
const TFJS_WASM_DIR = '../tfjs-wasm/';

export const defaultModelUrl = (): string => new URL(MODEL_DIR, import.meta.url).href;
export const tfjsWasmUrl = (): string => new URL(TFJS_WASM_DIR, import.meta.url).href;

declare const __SPECVAE_BUILT_IN_EXTRAS__: boolean | undefined;
/** Whether the build's model folder has demo-extras.json (set by vite.config.ts; no request for a file that is not there). */
export const BUILT_IN_EXTRAS: boolean = typeof __SPECVAE_BUILT_IN_EXTRAS__ === 'boolean' ? __SPECVAE_BUILT_IN_EXTRAS__ : true;
