import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { epochOrder } from '../train/trainer.js';

/**
 * A small CNN that tells the ten digits apart from a [bins, frames, 1]
 * spectrogram. Trained on the train split, it scores reconstructions and
 * generations: a sample that it classifies as the intended digit sounds like
 * that digit to a model that never saw the VAE.
 */
export class DigitClassifier {
  constructor(readonly model: tfl.LayersModel, readonly inputShape: [number, number, number]) {}

  static create(inputShape: [number, number, number], classes = 10, seed = 7): DigitClassifier {
    let i = 0;
    const init = () => tfl.initializers.glorotUniform({ seed: seed * 100 + i++ });
    const x = tfl.input({ shape: inputShape, name: 'spectrogram' });
    let h = x;
    // Strided convolutions down to a coarse time-frequency map, then a dense
    // layer that sees where in time and frequency each pattern is (a global
    // average would throw that away, and with it the order of the phonemes).
    for (const filters of [32, 64, 96, 128]) {
      h = tfl.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor;
    }
    h = tfl.layers.flatten({}).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.dropout({ rate: 0.3, seed }).apply(h) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor;
    return new DigitClassifier(tfl.model({ inputs: x, outputs: out, name: 'digit_classifier' }), inputShape);
  }

  private get per(): number {
    return this.inputShape[0] * this.inputShape[1] * this.inputShape[2];
  }

  /** Trains with Adam and cross-entropy; returns the training accuracy per epoch. */
  async fit(x: Float32Array, labels: ArrayLike<number>, opts: { epochs?: number; batchSize?: number; learningRate?: number; seed?: number; onEpochEnd?: (epoch: number, acc: number) => void } = {}): Promise<number[]> {
    const n = labels.length;
    const per = this.per;
    if (x.length !== n * per) throw new RangeError(`classifier: ${n} labels but ${x.length / per} spectrograms`);
    const epochs = opts.epochs ?? 12, bs = opts.batchSize ?? 64, seed = opts.seed ?? 7;
    const lr0 = opts.learningRate ?? 2e-3;
    const optimizer = tf.train.adam(lr0);
    const vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const buf = new Float32Array(bs * per);
    const history: number[] = [];
    const [h, w, c] = this.inputShape;
    for (let e = 0; e < epochs; e++) {
      // Cosine decay to 5 % of the initial rate: the last epochs settle
      // instead of hopping between minima (the test accuracy then stops
      // jumping by several points from one epoch to the next).
      (optimizer as unknown as { learningRate: number }).learningRate = lr0 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * e) / Math.max(1, epochs - 1))));
      const order = epochOrder(n, seed, e);
      let correct = 0;
      for (let s = 0; s < n; s += bs) {
        const size = Math.min(bs, n - s);
        const y = new Int32Array(size);
        for (let i = 0; i < size; i++) {
          const j = order[s + i]!;
          buf.set(x.subarray(j * per, (j + 1) * per), i * per);
          y[i] = labels[j]!;
        }
        const hits = tf.tidy(() => {
          const xb = tf.tensor4d(buf.subarray(0, size * per), [size, h, w, c]);
          const yb = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
          let probs: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const p = this.model.apply(xb, { training: true }) as tf.Tensor2D;
            probs = tf.keep(p);
            return tf.losses.softmaxCrossEntropy(yb, tf.log(tf.add(p, 1e-7))) as tf.Scalar;
          }, vars);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          value.dispose();
          const hit = tf.sum(tf.cast(tf.equal(tf.argMax(probs!, 1), tf.tensor1d(y, 'int32')), 'int32')).dataSync()[0]!;
          (probs as tf.Tensor | null)?.dispose();
          return hit;
        });
        correct += hits;
        await new Promise<void>((r) => setTimeout(r, 0));
      }
      history.push(correct / n);
      opts.onEpochEnd?.(e + 1, correct / n);
    }
    optimizer.dispose();
    return history;
  }

  /** Class probabilities [n, 10] (row-major). */
  predictProba(x: Float32Array, batchSize = 128): Float32Array {
    const per = this.per;
    const n = x.length / per;
    if (!Number.isInteger(n)) throw new RangeError(`classifier: input is not a whole number of ${this.inputShape.join(' x ')} spectrograms`);
    const out = new Float32Array(n * 10);
    const [h, w, c] = this.inputShape;
    for (let s = 0; s < n; s += batchSize) {
      const size = Math.min(batchSize, n - s);
      const p = tf.tidy(() => (this.model.apply(tf.tensor4d(x.subarray(s * per, (s + size) * per), [size, h, w, c]), { training: false }) as tf.Tensor).dataSync());
      out.set(p, s * 10);
    }
    return out;
  }

  predict(x: Float32Array): Int32Array {
    const p = this.predictProba(x);
    const n = p.length / 10;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (p[i * 10 + k]! > p[i * 10 + best]!) best = k;
      out[i] = best;
    }
    return out;
  }

  accuracy(x: Float32Array, labels: ArrayLike<number>): number {
    const pred = this.predict(x);
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) ok++;
    return ok / pred.length;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Inception-style score exp(E_x KL(p(y|x) || p(y))) of class probabilities
 * [n, classes]: from 1 (all samples alike or ambiguous) to `classes` (every
 * sample confidently one class, classes used equally).
 */
export function inceptionScore(probs: Float32Array, classes = 10): number {
  const n = probs.length / classes;
  const marginal = new Float64Array(classes);
  for (let i = 0; i < n; i++) for (let k = 0; k < classes; k++) marginal[k] = marginal[k]! + probs[i * classes + k]! / n;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < classes; k++) {
      const p = probs[i * classes + k]!;
      if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[k]!));
    }
  }
  return Math.exp(kl / n);
}
