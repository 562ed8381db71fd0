import type { DspKernels } from './kernels.js';

/** Where the compiled module comes from. */
export type WasmSource = ArrayBuffer | ArrayBufferView<ArrayBuffer> | URL | string | WebAssembly.Module;

// Literal `new URL(..., import.meta.url)` so bundlers (Vite) emit the files as assets.
function defaultUrl(simd: boolean): URL {
  return simd
    ? new URL('../wasm/dsp-simd.wasm', import.meta.url)
    : new URL('../wasm/dsp-scalar.wasm', import.meta.url);
}

async function readBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node: fetch() does not read file: URLs. The specifier is a variable so
    // browser bundlers leave this branch alone.
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    const buf = await fs.readFile(url);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`@specvae/dsp-wasm: cannot load ${url.href}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function toModule(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  let bytes: BufferSource;
  if (typeof source === 'string' || source instanceof URL) {
    const url = typeof source === 'string' ? new URL(source, import.meta.url) : source;
    bytes = await readBytes(url);
  } else {
    bytes = source;
  }
  return WebAssembly.compile(bytes);
}

/** True when this engine validates our SIMD build. */
export async function simdSupported(): Promise<boolean> {
  try {
    const bytes = await readBytes(defaultUrl(true));
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

export interface LoadOptions {
  /** Use the SIMD build (default: when the engine supports it). false forces the scalar reference build. */
  simd?: boolean;
  /** Load the module from here instead of the packaged file. */
  wasm?: WasmSource;
}

export async function loadKernels(options: LoadOptions = {}): Promise<DspKernels> {
  let source: WasmSource | undefined = options.wasm;
  if (source === undefined) {
    const wantSimd = options.simd ?? (await simdSupported());
    source = defaultUrl(wantSimd);
  }
  const module = await toModule(source);
  const instance = await WebAssembly.instantiate(module, {});
  const kernels = instance.exports as unknown as DspKernels;
  if (options.simd === true && kernels.simdEnabled() !== 1) {
    throw new Error('@specvae/dsp-wasm: a SIMD build was requested but the module given is the scalar build');
  }
  return kernels;
}
