import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { validateArchitecture, type Architecture } from '../models/architecture.js';
import { ClassPrior, type ClassPriorJson } from '../models/class-prior.js';
import { MixturePrior } from '../models/prior.js';
import { SpectrogramVae } from '../models/vae.js';

export const MODEL_FORMAT = 'specvae-model';
export const MODEL_FORMAT_VERSION = 1;

/** specvae.json: everything about a model except the weights. */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  version: number;
  architecture: Architecture;
  /** The feature pipeline the model was trained on (FeatureConfig), so audio in and out is reproducible. */
  features?: unknown;
  /** gmvae: the learned mixture prior. */
  prior?: { means: number[][]; logScales: number[][] };
  /** The digits' latent Gaussians fitted after training (SpectrogramVae.fitClassPrior). */
  classPrior?: ClassPriorJson;
  /** Free-form facts about the training run (preset, epochs, data, time). */
  training?: Record<string, unknown>;
}

/** A model in memory: manifest plus the two tfjs Layers models' artifacts. */
export interface ModelBundle {
  manifest: ModelManifest;
  encoder: tf.io.ModelArtifacts;
  decoder: tf.io.ModelArtifacts;
}

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    captured = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return captured!;
}

export async function toBundle(vae: SpectrogramVae, extra: { features?: unknown; training?: Record<string, unknown> } = {}): Promise<ModelBundle> {
  const manifest: ModelManifest = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, architecture: vae.architecture };
  if (extra.features !== undefined) manifest.features = extra.features;
  if (extra.training !== undefined) manifest.training = extra.training;
  if (vae.prior) manifest.prior = vae.prior.toJSON();
  if (vae.classPrior) manifest.classPrior = vae.classPrior.toJSON();
  return { manifest, encoder: await artifactsOf(vae.encoder), decoder: await artifactsOf(vae.decoder) };
}

/** Checks a parsed specvae.json; `where` names the file in errors. */
export function checkManifest(m: unknown, where: string): ModelManifest {
  const o = m as Partial<ModelManifest> | null;
  if (!o || typeof o !== 'object' || o.format !== MODEL_FORMAT) throw new ModelFormatError(`${where}: not a specvae model (format is not '${MODEL_FORMAT}')`);
  if (typeof o.version !== 'number' || o.version > MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(`${where}: model format version ${String(o.version)} is newer than this library reads (${MODEL_FORMAT_VERSION}); upgrade @specvae/vae-model`);
  }
  try {
    validateArchitecture(o.architecture as Architecture);
  } catch (e) {
    throw new ModelFormatError(`${where}: ${(e as Error).message}`);
  }
  if (o.architecture!.kind === 'gmvae' && !o.prior) throw new ModelFormatError(`${where}: a gmvae model without its prior`);
  if (o.classPrior !== undefined) {
    try {
      ClassPrior.fromJSON(o.classPrior, o.architecture!.latentDim, where);
    } catch (e) {
      throw new ModelFormatError((e as Error).message);
    }
  }
  return o as ModelManifest;
}

export async function fromBundle(bundle: ModelBundle): Promise<SpectrogramVae> {
  const manifest = checkManifest(bundle.manifest, 'model');
  const encoder = await tfl.loadLayersModel(tf.io.fromMemory(bundle.encoder));
  const decoder = await tfl.loadLayersModel(tf.io.fromMemory(bundle.decoder));
  const a = manifest.architecture;
  const prior = a.kind === 'gmvae' ? new MixturePrior(a.components!, a.latentDim, manifest.prior) : null;
  const vae = new SpectrogramVae(a, { encoder, decoder }, prior);
  if (manifest.classPrior) vae.classPrior = ClassPrior.fromJSON(manifest.classPrior, a.latentDim);
  return vae;
}

/** model.json of the tfjs Layers format for one network, its weights in `weights.bin`. */
export function layersModelJson(a: tf.io.ModelArtifacts): tf.io.ModelJSON {
  return {
    modelTopology: a.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy ?? 'TensorFlow.js',
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
  };
}

/** Bytes of an artifacts' weights as one ArrayBuffer. */
export function weightBytes(a: tf.io.ModelArtifacts): ArrayBuffer {
  const d = a.weightData;
  if (!d) return new ArrayBuffer(0);
  return Array.isArray(d) ? tf.io.concatenateArrayBuffers(d) : d;
}

/** Artifacts from a parsed model.json and its weights.bin. */
export async function artifactsFromJson(json: tf.io.ModelJSON, weights: ArrayBuffer, where: string): Promise<tf.io.ModelArtifacts> {
  const specs = json.weightsManifest?.flatMap((g) => g.weights) ?? [];
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (bytesPer[s.dtype] ?? 4), 0);
  if (weights.byteLength !== expected) {
    throw new ModelFormatError(`${where}: weights.bin has ${weights.byteLength} bytes, model.json describes ${expected}`);
  }
  return tf.io.getModelArtifactsForJSON(json, async () => [specs, weights]);
}
