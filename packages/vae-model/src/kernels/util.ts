import { engine, getBackend } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';

/** True when the active backend is the one our kernels are registered for. */
export function isOurBackend(): boolean {
  return getBackend() === 'wasm';
}

/** engine().runKernel, typed loosely (tfjs exposes it only on the engine object). */
export function ENGINE_RUN(kernelName: string, inputs: NamedTensorMap, attrs: NamedAttrMap = {}): Tensor | Tensor[] {
  return engine().runKernel(kernelName, inputs, attrs) as Tensor | Tensor[];
}
