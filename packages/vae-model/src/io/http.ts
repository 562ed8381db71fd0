import * as tf from '@tensorflow/tfjs-core';
import { artifactsFromJson, checkManifest, ModelFormatError, type ModelBundle } from './bundle.js';

/**
 * Loads a model folder served over HTTP (or any URL fetch can read):
 * `${base}specvae.json`, `${base}encoder/model.json` + `weights.bin`, and the
 * decoder's. `base` should end with '/'. Works in browsers and workers.
 */
export async function loadModelUrl(base: string | URL, init?: RequestInit): Promise<ModelBundle> {
  const root = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
  const get = async (rel: string): Promise<Response> => {
    const url = new URL(rel, root);
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (e) {
      throw new ModelFormatError(`${url.href}: cannot fetch (${(e as Error).message})`);
    }
    if (!res.ok) throw new ModelFormatError(`${url.href}: HTTP ${res.status}`);
    return res;
  };
  const json = async (rel: string): Promise<unknown> => {
    const res = await get(rel);
    try {
      return await res.json();
    } catch {
      throw new ModelFormatError(`${new URL(rel, root).href}: not valid JSON`);
    }
  };
  const manifest = checkManifest(await json('specvae.json'), new URL('specvae.json', root).href);
  const part = async (name: 'encoder' | 'decoder'): Promise<tf.io.ModelArtifacts> => {
    const modelJson = (await json(`${name}/model.json`)) as tf.io.ModelJSON;
    const weights = await (await get(`${name}/weights.bin`)).arrayBuffer();
    return artifactsFromJson(modelJson, weights, new URL(`${name}/`, root).href);
  };
  return { manifest, encoder: await part('encoder'), decoder: await part('decoder') };
}
