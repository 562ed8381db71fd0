// The browser half of test/browser.test.ts: select tfjs-wasm with our
// training kernels, load a model folder over HTTP, decode, train a few steps,
// and round-trip the trained model through a bundle; the Node half compares
// every number with its own run of the same code.
import * as tf from '@tensorflow/tfjs-core';
import { fromBundle, initBackend, loadModelUrl, toBundle, trainVae } from '../../src/index.js';
import type { BrowserCase, BrowserResults } from './protocol.js';

declare global {
  interface Window { __results?: BrowserResults | { error: string } }
}

async function run(): Promise<BrowserResults> {
  const info = await initBackend({ wasmPaths: './tfjs/' });
  const c = (await (await fetch('./case.json')).json()) as BrowserCase;
  const bundle = await loadModelUrl('./model/');
  const vae = await fromBundle(bundle);
  const decoded = Array.from(vae.decode(Float32Array.from(c.z), c.labels));
  const before = tf.memory().numTensors;
  const { history } = await trainVae(vae, { x: Float32Array.from(c.x), n: c.labels.length, labels: c.labels }, {
    epochs: c.epochs, batchSize: c.batchSize, seed: c.seed,
  });
  const leaked = tf.memory().numTensors - before;
  const trained = Array.from(vae.decode(Float32Array.from(c.z), c.labels));
  const back = await fromBundle(await toBundle(vae));
  const reloaded = Array.from(back.decode(Float32Array.from(c.z), c.labels));
  vae.dispose();
  back.dispose();
  return { backend: tf.getBackend(), build: info.build, decoded, losses: history.map((h) => h.loss), trained, reloaded, leaked };
}

run().then(
  (r) => { window.__results = r; document.getElementById('out')!.textContent = 'done'; },
  (e: unknown) => { window.__results = { error: String((e as Error)?.stack ?? e) }; },
);
