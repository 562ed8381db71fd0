// loadModelUrl against a real HTTP server on 127.0.0.1 (Node's fetch, as a browser would).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../../tools/browser.js';
import { SpectrogramVae, fromBundle, loadModelUrl, toBundle, type Architecture } from '../src/index.js';
import { saveModelDir } from '../src/node.js';

const arch: Architecture = {
  kind: 'cvae', inputShape: [16, 8, 1], filters: [4, 8], strides: [[2, 2], [2, 1]], kernelSize: 3, latentDim: 3,
  batchNorm: true, reconWeight: 1000, klWeight: 1, seed: 4, classes: 10,
};
let root = '';
let server: Awaited<ReturnType<typeof serveStatic>>;
let vae: SpectrogramVae;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'vae-http-'));
  vae = new SpectrogramVae(arch);
  await saveModelDir(join(root, 'models', 'digits'), await toBundle(vae, { features: { preset: 'test' } }));
  server = await serveStatic(root);
});
afterAll(async () => {
  vae.dispose();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('loadModelUrl', () => {
  it('loads a model folder over HTTP that decodes exactly as the saved one', async () => {
    const bundle = await loadModelUrl(`${server.url}models/digits/`);
    expect(bundle.manifest.features).toEqual({ preset: 'test' });
    const back = await fromBundle(bundle);
    const z = vae.sampleLatents(2, 3);
    expect(back.decode(z, [4, 9])).toEqual(vae.decode(z, [4, 9]));
    back.dispose();
  });
  it('names the URL and the problem when the folder is missing', async () => {
    await expect(loadModelUrl(`${server.url}models/none/`)).rejects.toThrow(/models\/none\/specvae.json: HTTP 404/);
    await expect(loadModelUrl('http://127.0.0.1:1/x/')).rejects.toThrow(/cannot fetch/);
  });
});
