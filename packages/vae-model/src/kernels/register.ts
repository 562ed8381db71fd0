// Registers our training kernels for the tfjs 'wasm' backend.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput, fusedConv2D, setStockBackpropInput, setStockConvs } from './conv.js';
import { makeBatchMatMul } from './matmul.js';
import { identity, makeAdd, makeCast, makeSum, overrideReluGradient, RELU_GRAD, reluGradKernel } from './elementwise.js';
import {
  BN_GRAD_PARAMS, BN_GRAD_X, BN_TRAIN, batchNormGradParams, batchNormGradX, batchNormTrain,
  patchBatchNormalizationLayer, registerBatchNormGradient,
} from './batchnorm.js';

const BACKEND = 'wasm';

/** Kernels we register on 'wasm' (replacing tfjs-wasm's where it has one). */
export const TRAINING_KERNELS: readonly string[] = [
  'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Conv2D', 'FusedConv2D', 'BatchMatMul', 'Identity', 'Cast', 'Sum', 'Add',
  RELU_GRAD, BN_TRAIN, BN_GRAD_PARAMS, BN_GRAD_X,
];

const stock = new Map<string, KernelConfig>();
let registered = false;

function replace(kernelName: string, make: (stock: KernelConfig | undefined) => KernelFunc): void {
  const existing = getKernel(kernelName, BACKEND);
  if (existing !== undefined) {
    if (!stock.has(kernelName)) stock.set(kernelName, existing);
    unregisterKernel(kernelName, BACKEND);
  }
  const original = stock.get(kernelName);
  // Stock kernels with a setupFunc (cwrap of the C function) still need it.
  const setupFunc = original?.setupFunc;
  registerKernel({ kernelName, backendName: BACKEND, kernelFunc: make(original), ...(setupFunc ? { setupFunc } : {}) });
}

function need(config: KernelConfig | undefined, name: string): KernelConfig {
  if (config === undefined) throw new Error(`vae-model kernels: tfjs-wasm has no ${name} kernel to extend`);
  return config;
}

/** The tfjs-wasm kernel we replaced (for fallbacks and benchmarks). */
export function stockKernel(kernelName: string): KernelConfig | undefined {
  return stock.get(kernelName);
}

export function registerTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const fn = (f: unknown): KernelFunc => f as KernelFunc;
  replace('Conv2DBackpropFilter', () => fn(conv2DBackpropFilter));
  replace('Conv2DBackpropInput', () => fn(conv2DBackpropInput));
  setStockBackpropInput(stock.get('Conv2DBackpropInput'));
  replace('Conv2D', (s) => (need(s, 'Conv2D'), fn(conv2D)));
  replace('FusedConv2D', (s) => (need(s, 'FusedConv2D'), fn(fusedConv2D)));
  setStockConvs(stock.get('Conv2D'), stock.get('FusedConv2D'));
  replace('BatchMatMul', (s) => makeBatchMatMul(need(s, 'BatchMatMul')));
  replace('Identity', () => fn(identity));
  replace('Cast', (s) => makeCast(need(s, 'Cast')));
  replace('Sum', (s) => makeSum(need(s, 'Sum')));
  replace('Add', (s) => makeAdd(need(s, 'Add')));
  replace(RELU_GRAD, () => fn(reluGradKernel));
  replace(BN_TRAIN, () => fn(batchNormTrain));
  replace(BN_GRAD_PARAMS, () => fn(batchNormGradParams));
  replace(BN_GRAD_X, () => fn(batchNormGradX));
  overrideReluGradient();
  registerBatchNormGradient();
  patchBatchNormalizationLayer(() => getKernel(BN_TRAIN, BACKEND) !== undefined);
}
