// Model folders on a Node filesystem:
//   specvae.json, encoder/{model.json, weights.bin}, decoder/{model.json, weights.bin}
// Written to a sibling temporary folder and swapped in with renames, so a
// crash at any moment leaves either the old complete model or the new one.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  artifactsFromJson, checkManifest, layersModelJson, ModelFormatError, weightBytes, type ModelBundle,
} from './bundle.js';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Writes `files` (relative path -> bytes or text) as folder `dir`, atomically replacing any previous one. */
export async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const target = resolve(dir);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  const old = join(dirname(target), `.${basename(target)}.old-${tag}`);
  await mkdir(dirname(target), { recursive: true });
  try {
    for (const [rel, body] of Object.entries(files)) {
      const p = join(tmp, rel);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, body);
    }
    if (await exists(target)) await rename(target, old);
    await rename(tmp, target);
    await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (!(await exists(target)) && (await exists(old))) await rename(old, target);
    throw e;
  }
}

/** Extra files a checkpoint adds to a model folder. */
export type ExtraFiles = Record<string, string | Uint8Array>;

export function bundleFiles(bundle: ModelBundle): ExtraFiles {
  const files: ExtraFiles = { 'specvae.json': JSON.stringify(bundle.manifest, null, 2) };
  for (const part of ['encoder', 'decoder'] as const) {
    files[`${part}/model.json`] = JSON.stringify(layersModelJson(bundle[part]));
    files[`${part}/weights.bin`] = new Uint8Array(weightBytes(bundle[part]));
  }
  return files;
}

/** Saves a model folder (atomic). */
export async function saveModelDir(dir: string, bundle: ModelBundle, extra: ExtraFiles = {}): Promise<void> {
  await writeFolderAtomic(dir, { ...bundleFiles(bundle), ...extra });
}

async function readJson(p: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFormatError(code === 'ENOENT' ? `${p}: missing (not a specvae model folder?)` : `${p}: cannot read (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFormatError(`${p}: not valid JSON (damaged file?)`);
  }
}

/** Loads a model folder written by saveModelDir, with clear errors for missing, damaged or newer files. */
export async function loadModelDir(dir: string): Promise<ModelBundle> {
  const root = resolve(dir);
  const manifest = checkManifest(await readJson(join(root, 'specvae.json')), join(root, 'specvae.json'));
  const part = async (name: string): Promise<tf.io.ModelArtifacts> => {
    const json = (await readJson(join(root, name, 'model.json'))) as tf.io.ModelJSON;
    let weights: Buffer;
    try {
      weights = await readFile(join(root, name, 'weights.bin'));
    } catch {
      throw new ModelFormatError(`${join(root, name, 'weights.bin')}: missing`);
    }
    const ab = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    return artifactsFromJson(json, ab, join(root, name));
  };
  return { manifest, encoder: await part('encoder'), decoder: await part('decoder') };
}
