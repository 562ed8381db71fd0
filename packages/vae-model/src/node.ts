// @specvae/vae-model/node: the Node-only parts (filesystem model and
// checkpoint folders). The main entry stays free of `node:` imports so it
// bundles for browsers.
export { bundleFiles, loadModelDir, saveModelDir, writeFolderAtomic, type ExtraFiles } from './io/node.js';
export { FolderCheckpointStore } from './train/checkpoint-node.js';
export * from './data/node.js';
