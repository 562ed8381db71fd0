// Backend selection for the demo's workers: @specvae/vae-model's
// initBackend (tfjs-wasm with SIMD, and the training kernels tfjs-wasm lacks),
// with the .wasm files served by this build (no CDN).
import { initBackend } from '@specvae/vae-model';
import type { BackendStatus } from '../protocol.js';

/**
 * Selects the tfjs backend of a worker. `wasmPaths`: the URL prefix (ending
 * in '/') where this build serves tfjs-backend-wasm's .wasm files.
 */
export async function selectBackend(wasmPaths: string): Promise<BackendStatus> {
  const info = await initBackend({ wasmPaths });
  const build = info.build === 'threaded-simd' ? 'threaded SIMD' : info.build === 'simd' ? 'SIMD' : 'plain';
  return { backend: info.backend, simd: info.simd, threads: info.threads, build, note: `tfjs-wasm ${build} build with the vae-model training kernels` };
}
