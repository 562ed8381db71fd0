import * as tfl from '@tensorflow/tfjs-layers';
import { encoderShapes, validateArchitecture, type Architecture } from './architecture.js';

type Sym = tfl.SymbolicTensor;

/**
 * Encoder and decoder as tfjs Layers models made only of built-in layers
 * (sampling and the loss live outside them), so the saved files also convert
 * to Keras. Encoder: spectrogram (+ one-hot label for cvae) -> [z_mean,
 * z_log_var]. Decoder: z (+ one-hot label) -> spectrogram in [0, 1].
 */
export function buildNetworks(a: Architecture): { encoder: tfl.LayersModel; decoder: tfl.LayersModel } {
  validateArchitecture(a);
  let layerIndex = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: a.seed * 1000 + layerIndex++ });
  const block = (h: Sym, layer: tfl.layers.Layer, name: string): Sym => {
    let out = layer.apply(h) as Sym;
    out = tfl.layers.reLU({ name: `${name}_relu` }).apply(out) as Sym;
    if (a.batchNorm) out = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(out) as Sym;
    return out;
  };

  // Encoder.
  const x = tfl.input({ shape: a.inputShape, name: 'spectrogram' });
  let h: Sym = x;
  a.filters.forEach((filters, i) => {
    h = block(h, tfl.layers.conv2d({
      filters, kernelSize: a.kernelSize, strides: a.strides[i]!, padding: 'same', kernelInitializer: init(), name: `enc_conv${i}`,
    }), `enc${i}`);
  });
  h = tfl.layers.flatten({ name: 'enc_flatten' }).apply(h) as Sym;
  const encInputs: Sym[] = [x];
  let labelIn: Sym | undefined;
  if (a.kind === 'cvae') {
    labelIn = tfl.input({ shape: [a.classes!], name: 'label' });
    encInputs.push(labelIn);
    h = tfl.layers.concatenate({ name: 'enc_condition' }).apply([h, labelIn]) as Sym;
  }
  const mu = tfl.layers.dense({ units: a.latentDim, kernelInitializer: init(), name: 'z_mean' }).apply(h) as Sym;
  const logvar = tfl.layers.dense({ units: a.latentDim, kernelInitializer: init(), name: 'z_log_var' }).apply(h) as Sym;
  const encoder = tfl.model({ inputs: encInputs, outputs: [mu, logvar], name: 'encoder' });

  // Decoder: the mirror image.
  const shapes = encoderShapes(a);
  const [h0, w0] = shapes[shapes.length - 1]!;
  const c0 = a.filters[a.filters.length - 1]!;
  const z = tfl.input({ shape: [a.latentDim], name: 'z' });
  const decInputs: Sym[] = [z];
  let d: Sym = z;
  if (a.kind === 'cvae') {
    const label = tfl.input({ shape: [a.classes!], name: 'label' });
    decInputs.push(label);
    d = tfl.layers.concatenate({ name: 'dec_condition' }).apply([z, label]) as Sym;
  }
  d = tfl.layers.dense({ units: h0 * w0 * c0, kernelInitializer: init(), name: 'dec_dense' }).apply(d) as Sym;
  d = tfl.layers.reshape({ targetShape: [h0, w0, c0], name: 'dec_reshape' }).apply(d) as Sym;
  for (let i = a.filters.length - 1; i >= 0; i--) {
    d = block(d, tfl.layers.conv2dTranspose({
      filters: a.filters[i]!, kernelSize: a.kernelSize, strides: a.strides[i]!, padding: 'same', kernelInitializer: init(),
      name: `dec_deconv${i}`,
    }), `dec${i}`);
  }
  const out = tfl.layers.conv2dTranspose({
    filters: a.inputShape[2], kernelSize: a.kernelSize, strides: 1, padding: 'same', activation: 'sigmoid',
    kernelInitializer: init(), name: 'dec_out',
  }).apply(d) as Sym;
  const decoder = tfl.model({ inputs: decInputs, outputs: out, name: 'decoder' });
  return { encoder, decoder };
}
