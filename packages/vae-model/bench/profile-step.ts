// Per-kernel profile of one training step of the default model (a development aid,
// not part of `pnpm bench`): step times, and with --profile tf.profile's time per
// kernel (convolutions per shape), slowest first.
// usage: tsx bench/profile-step.ts [batch] [threads] [--kthreads N] [--profile]   (env STEPS: timed steps)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend.js';
import { defaultArchitecture } from '../src/models/architecture.js';
import { SpectrogramVae } from '../src/models/vae.js';
import { featurePreset, featureShape } from '../src/features/config.js';
import { setKernelThreads } from '../src/kernels/heap.js';

const batch = Number(process.argv[2] ?? 64);
const threads = Number(process.argv[3] ?? 2);
const info = await initBackend({ threads });
console.log(info);
const kt = process.argv.indexOf('--kthreads');
if (kt >= 0) setKernelThreads(Number(process.argv[kt + 1]));
const input = featureShape(featurePreset('default')).inputShape;
const arch = defaultArchitecture(input, 'cvae');
const vae = new SpectrogramVae(arch);
const vars = vae.trainableVariables;
const opt = tf.train.adam(5e-4);
const x = tf.tidy(() => tf.sigmoid(tf.randomNormal([batch, ...input], 0, 1, 'float32', 1))) as tf.Tensor4D;
const labels = Array.from({ length: batch }, (_, i) => i % 10);
const noise = tf.randomNormal([batch, arch.latentDim], 0, 1, 'float32', 2) as tf.Tensor2D;
const step = (): void => {
  const l = opt.minimize(() => vae.lossTerms(x, labels, noise).loss, true, vars);
  l!.dataSync();
  l!.dispose();
};
step();
step();
const times: number[] = [];
for (let i = 0; i < Number(process.env['STEPS'] ?? 4); i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
console.log('step ms', times.map((t) => t.toFixed(0)).join(' '));
if (process.argv.includes('--profile')) {
  const prof = await tf.profile(() => { step(); });
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = `${k.name} ${k.name.startsWith('Conv') || k.name.includes('Backprop') ? JSON.stringify(k.inputShapes) : ''}`;
    const e = by.get(key) ?? { ms: 0, n: 0 };
    e.ms += ms; e.n++; total += ms;
    by.set(key, e);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log('total kernel ms', total.toFixed(0));
  for (const [k, v] of rows.slice(0, 45)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k);
}
process.exit(0);
