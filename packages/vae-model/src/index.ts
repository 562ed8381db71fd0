export { initBackend, ready } from './backend.js';
export type { BackendInfo, BackendOptions } from './backend.js';
export { TRAINING_KERNELS } from './kernels/register.js';
export * from './features/index.js';
export * from './data/index.js';
