/**
 * Architecture of the VAE family: a convolutional encoder to a diagonal
 * Gaussian posterior, a mirrored transposed-convolution decoder with a sigmoid
 * output, and the loss weights. Plain JSON, stored with every model.
 */

export type ModelKind = 'standard' | 'gmvae' | 'cvae';

export interface Architecture {
  kind: ModelKind;
  /** [frequency bins, frames, channels], the feature pipeline's tensor shape. */
  inputShape: [number, number, number];
  /** Encoder Conv2D filters per block; the decoder mirrors them. */
  filters: number[];
  /** Encoder stride [frequency, time] per block; the decoder mirrors them. */
  strides: [number, number][];
  kernelSize: number;
  latentDim: number;
  /** BatchNormalization after each ReLU (the original's block order). */
  batchNorm: boolean;
  /** Loss = reconWeight * mean squared error per pixel + klWeight * KL, per sample, averaged over the batch. */
  reconWeight: number;
  klWeight: number;
  /** gmvae: number of mixture components of the learned prior. */
  components?: number;
  /**
   * gmvae: component k belongs to digit k (needs components = 10 and a label
   * per training clip): the KL term pulls each clip's posterior towards its
   * own digit's component instead of towards the whole mixture. Without it
   * (false, absent in older models) the components are fitted without labels
   * and, on FSDD, do not come out one digit each (see the package README).
   */
  labelledComponents?: boolean;
  /**
   * gmvae with labelled components: weight of -log p(digit | z), the
   * mixture's posterior probability of the clip's own component at its
   * sampled z, added to each clip's loss (the discriminative term of
   * semi-supervised VAEs, Kingma et al. 2014's alpha). The ELBO alone only
   * pulls each digit towards its component; this term also pushes it away
   * from the others, so the components end up where the decoder can tell
   * the digits apart. 0 or absent: the plain ELBO. The training loss
   * includes the weighted term; the trainer's metrics also report the
   * unweighted -log p(digit | z) as `classNll`.
   */
  classWeight?: number;
  /** cvae: number of classes of the condition (10 digits). */
  classes?: number;
  /** Seed of the weight initialisers. */
  seed: number;
}

/** The original experiment's standard VAE (about 3.56 M parameters). */
export function originalArchitecture(kind: ModelKind = 'standard'): Architecture {
  return withKind({
    kind: 'standard',
    inputShape: [256, 64, 1],
    filters: [512, 256, 128, 64, 32],
    strides: [[2, 2], [2, 2], [2, 2], [2, 2], [2, 1]],
    kernelSize: 3,
    latentDim: 128,
    batchNorm: true,
    reconWeight: 1e6,
    klWeight: 1,
    seed: 1,
  }, kind);
}

/** Per-pixel sigma of the default preset's Gaussian likelihood. */
export const DEFAULT_SIGMA = 0.3;

/**
 * Our default for 8 kHz FSDD: the width grows as the resolution shrinks (the
 * original does the opposite and spends 4.8 GMAC per sample in its last
 * layer), 16 latent dimensions are plenty for ten spoken digits, and the
 * reconstruction weight is that of a Gaussian likelihood with per-pixel
 * sigma 0.3 (see gaussianReconWeight; the original's 1e6 is sigma 0.09).
 *
 * Sigma sets how many nats the latent may hold against the KL term. Measured
 * on FSDD (cvae, batch 16, Adam 1e-3, 8 epochs, classifier accuracy on test
 * reconstructions / on digit-conditioned generations from N(0, I)): sigma
 * 0.1: 82 % / 16 % (KL about 250 nats: the latent carried the digit too, and
 * the decoder ignored the condition); 0.2: 90 % / 63 %; 0.3 with a cosine
 * decay: 94 % / 72 % (KL about 45 nats, the condition decides the digit).
 */
export function defaultArchitecture(inputShape: [number, number, number], kind: ModelKind = 'standard'): Architecture {
  return withKind({
    kind: 'standard',
    inputShape,
    filters: [16, 32, 64, 128],
    strides: [[2, 2], [2, 2], [2, 2], [2, 2]],
    kernelSize: 3,
    latentDim: 16,
    batchNorm: true,
    reconWeight: gaussianReconWeight(inputShape, DEFAULT_SIGMA),
    klWeight: 1,
    seed: 1,
  }, kind);
}

/**
 * reconWeight of a Gaussian likelihood with per-pixel standard deviation
 * sigma: -log p(x|z) = sum (x - x')^2 / (2 sigma^2) + c = P * mean / (2 sigma^2).
 * The original's 1e6 on 256 x 64 pixels is sigma = 0.0905.
 */
export function gaussianReconWeight(inputShape: readonly number[], sigma: number): number {
  return (inputShape[0]! * inputShape[1]!) / (2 * sigma * sigma);
}

/**
 * The presets' gmvae classWeight. Measured on FSDD (default preset and
 * recipe, labelled components, 12 epochs; the package README has the table):
 * without the term only 3-7 of the 10 components were heard as their own
 * digit; with it, all 10.
 */
export const DEFAULT_CLASS_WEIGHT = 50;

function withKind(a: Architecture, kind: ModelKind): Architecture {
  const out: Architecture = { ...a, kind };
  if (kind === 'gmvae') {
    out.components = 10;
    out.labelledComponents = true;
    out.classWeight = DEFAULT_CLASS_WEIGHT;
  }
  if (kind === 'cvae') out.classes = 10;
  return out;
}

/** Spatial shape after each encoder block ('same' padding: ceil(size / stride)). */
export function encoderShapes(a: Architecture): [number, number][] {
  const shapes: [number, number][] = [];
  let [h, w] = a.inputShape;
  for (const [sh, sw] of a.strides) {
    h = Math.ceil(h / sh);
    w = Math.ceil(w / sw);
    shapes.push([h, w]);
  }
  return shapes;
}

/** Checks an architecture and explains what is wrong. */
export function validateArchitecture(a: Architecture): void {
  const bad = (m: string): never => {
    throw new RangeError(`invalid architecture: ${m}`);
  };
  if (!['standard', 'gmvae', 'cvae'].includes(a.kind)) bad(`unknown kind ${String(a.kind)}`);
  if (a.inputShape.length !== 3 || a.inputShape.some((d) => !Number.isInteger(d) || d < 1)) bad(`inputShape ${JSON.stringify(a.inputShape)}`);
  if (a.filters.length === 0 || a.filters.length !== a.strides.length) bad('filters and strides need the same, non-zero, length');
  if (a.filters.some((f) => !Number.isInteger(f) || f < 1)) bad(`filters ${JSON.stringify(a.filters)}`);
  if (!Number.isInteger(a.latentDim) || a.latentDim < 1) bad(`latentDim ${a.latentDim}`);
  if (!(a.reconWeight > 0) || !(a.klWeight >= 0)) bad('reconWeight must be > 0 and klWeight >= 0');
  // The mirrored decoder must land exactly on the input size.
  let [h, w] = a.inputShape;
  for (const [sh, sw] of a.strides) {
    if (h % sh !== 0 || w % sw !== 0) bad(`input ${a.inputShape[0]} x ${a.inputShape[1]} does not divide evenly by the strides (at ${h} x ${w} with stride ${sh} x ${sw})`);
    h /= sh;
    w /= sw;
  }
  if (a.kind === 'gmvae' && !(Number.isInteger(a.components) && a.components! >= 1)) bad('gmvae needs components >= 1');
  if (a.labelledComponents !== undefined && typeof a.labelledComponents !== 'boolean') bad('labelledComponents must be true or false');
  if (a.labelledComponents && a.kind !== 'gmvae') bad('labelledComponents is for a gmvae only');
  if (a.classWeight !== undefined && !(Number.isFinite(a.classWeight) && a.classWeight >= 0)) bad(`classWeight must be a number >= 0, got ${String(a.classWeight)}`);
  if (a.classWeight && !a.labelledComponents) bad('classWeight needs a gmvae with labelled components');
  if (a.kind === 'cvae' && !(Number.isInteger(a.classes) && a.classes! >= 2)) bad('cvae needs classes >= 2');
}
