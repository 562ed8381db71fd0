// @specvae/vae-model training kernels for the tfjs-wasm heap.
// The module imports the backend's memory (env.memory) and owns no data of its
// own: every pointer is a byte offset of a buffer that tfjs-wasm allocated.
export { transposeNPCtoCPN, transposeNPCtoPNC, scatterPhase } from './layout';
export {
  chanSum, chanMoments, chanDyXSums, chanAffine, chanAdd, chanDyXAffine, reluGrad, addSame,
} from './channel';
export { bpfScratchBytes, bpfGemm, bpfGemmRows, bpfReduce } from './bpf';
export { conv1In, conv1Out, conv1OutScratchBytes, bpf1, bpf1Reduce } from './conv1';
