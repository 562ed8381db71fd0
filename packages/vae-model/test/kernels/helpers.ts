// Helpers for comparing our wasm kernels against tfjs' cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend.js';
import type { BackendInfo } from '../../src/backend.js';

let info: Promise<BackendInfo> | undefined;
/** The wasm backend with our kernels (threaded in Node), selected. */
export function wasmReady(): Promise<BackendInfo> {
  info ??= initBackend({ threads: 2 });
  return info;
}

/** max|a - b| / max|b| (max|a - b| when b is all zeros). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    d = Math.max(d, Math.abs(x - y));
    m = Math.max(m, Math.abs(y));
  }
  return m === 0 ? d : d / m;
}

/** Deterministic pseudo-random values in [-1, 1) (xorshift). */
export function randomArray(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomArray(shape.reduce((p, q) => p * q, 1), seed), shape);
}

export interface BothResult {
  wasm: Float32Array[];
  cpu: Float32Array[];
  /** Engine tensors and backend buffers left behind by the wasm computation. */
  leakedTensors: number;
  leakedBuffers: number;
}

/**
 * Runs f on the wasm backend and on the cpu backend (inputs move between them),
 * returning the outputs' values and what the wasm run leaked.
 */
export async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<BothResult> {
  await tf.setBackend('wasm');
  const read = (r: tf.Tensor | tf.Tensor[]): Float32Array[] => {
    const ts = Array.isArray(r) ? r : [r];
    const out = ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose(ts);
    return out;
  };
  const backend = tf.backend();
  // A first run moves the inputs onto wasm, so that moving them is not counted.
  tf.dispose(f());
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = backend.numDataIds();
  const wasm = read(f());
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  const leakedBuffers = backend.numDataIds() - buffersBefore;
  await tf.setBackend('cpu');
  const cpu = read(f());
  await tf.setBackend('wasm');
  return { wasm, cpu, leakedTensors, leakedBuffers };
}
