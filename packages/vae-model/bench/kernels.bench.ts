// The training-kernel benchmark (`pnpm bench`): in one run,
//  1. GFLOP/s of tfjs-wasm's forward Conv2D (XNNPACK) vs our Conv2DBackpropFilter
//     and Conv2DBackpropInput on every conv shape of the default model, the
//     issue's SMALL model and the ORIGINAL model (at the batch each trains with);
//  2. the time of one training step (batch 64, Adam) of each model on wasm
//     (default: the real defaultArchitecture cvae with trainVae's step;
//     original: micro-batches with gradient accumulation, as trainVae's
//     `microBatch` does, to fit the 4 GiB heap);
//  3. when `python3 -c 'import torch'` works, bench/torch_reference.py's
//     times for the same models at 1 and 2 threads, side by side (wasm/torch).
//
// usage: pnpm bench [-- options]
//   --models default,small,original   models for the kernel table and the steps
//   --no-kernels | --no-steps | --no-torch
//   --reps N            timed repetitions (median; default 3; the original's step: 1)
//   --threads N         wasm threads (default 2)
//   --step-threads L    other wasm thread counts for the default/small steps, each in a child process (default 1)
//   --micro N           micro-batch of the original model (default 8)
//   --batch N           training batch (default 64)
//   --torch-blas DIR    LD_LIBRARY_PATH for the PyTorch run (env SPECVAE_TORCH_BLAS_DIR), e.g. an
//                       OpenBLAS libblas.so.3: Debian's python3-torch 1.13 runs ConvTranspose2d through
//                       BLAS gemm, and the reference libblas3 makes it ~10x slower
//   --json FILE         also write the results as JSON
//   --quick             kernel table at reduced batch, 1 rep, no original step
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend.js';
import { defaultArchitecture } from '../src/models/architecture.js';
import { SpectrogramVae } from '../src/models/vae.js';
import { featurePreset, featureShape } from '../src/features/config.js';
import { ORIGINAL, SMALL, buildVae, convShapes, defaultSpec, trainStep } from './vae-models.js';
import type { ConvShape, VaeSpec } from './vae-models.js';

// ---------------------------------------------------------------------------
// options

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const models = (opt('models') ?? 'default,small,original').split(',').filter((s) => s.length > 0);
const reps = Number(opt('reps') ?? (quick ? 1 : 3));
const threads = Number(opt('threads') ?? 2);
const micro = Number(opt('micro') ?? 8);
const batch = Number(opt('batch') ?? 64);
const jsonOut = opt('json');
for (const m of models) {
  if (!['default', 'small', 'original'].includes(m)) throw new Error(`unknown model ${m} (default, small, original)`);
}

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------
// models

const defaultInput = featureShape(featurePreset('default')).inputShape;
const defaultArch = defaultArchitecture(defaultInput, 'cvae');
const SPECS: Record<string, VaeSpec> = { default: defaultSpec(), small: SMALL, original: ORIGINAL };
/** Batch the kernel table uses per model: the (micro-)batch each trains with. */
const kernelBatch = (m: string): number => (quick ? 8 : m === 'original' ? Math.min(micro, batch) : batch);

// ---------------------------------------------------------------------------
// timing helpers

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Median wall times (ms) of each of fs over `n` rounds after one warm-up
 * round; the rounds interleave the functions, so that a change in the
 * machine's load hits all of them alike. The wasm backend runs kernels
 * synchronously (XNNPACK's and our thread pools join before returning), so
 * the time of the call is the time of the kernel; results are not read back
 * (that would add a copy of the output).
 */
function timeAll(fs: (() => tf.Tensor)[], n: number): number[] {
  const run = (f: () => tf.Tensor): number => {
    const t0 = performance.now();
    const r = f();
    const dt = performance.now() - t0;
    r.dispose();
    return dt;
  };
  for (const f of fs) run(f);
  const ts: number[][] = fs.map(() => []);
  for (let i = 0; i < n; i++) fs.forEach((f, j) => ts[j]!.push(run(f)));
  return ts.map(median);
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  return [line(head), `|${w.map((n, i) => (i === 0 ? ` ${'-'.repeat(n)} ` : ` ${'-'.repeat(n - 1)}: `)).join('|')}|`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// 1. kernels

interface KernelRow {
  model: string; role: string; n: number; h: number; w: number; ci: number; co: number; stride: [number, number];
  gflop: number; fwdMs: number; fwdNewMs: number; bpfMs: number; bpiMs: number;
}

/**
 * Timed rounds for a conv of `gflop`: more for the small ones (milliseconds or less per
 * call, where a busy machine's scheduling noise is the size of the kernel), one for the
 * original's largest (seconds per call).
 */
function rounds(gflop: number): number {
  const base = Math.max(reps, 3);
  if (gflop > 20) return 1;
  if (gflop < 0.1) return 5 * base;
  if (gflop < 1) return 2 * base;
  return base;
}

function benchShape(model: string, s: ConvShape, n: number): KernelRow {
  const x = tf.randomNormal([n, s.h, s.w, s.ci], 0, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.randomNormal([3, 3, s.ci, s.co], 0, 0.1, 'float32', 2) as tf.Tensor4D;
  const y0 = tf.conv2d(x, f, s.stride, 'same');
  const dy = tf.randomNormal(y0.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
  const [oh, ow] = [y0.shape[1], y0.shape[2]];
  y0.dispose();
  const gflop = (2 * n * oh * ow * s.ci * s.co * 9) / 1e9;
  // tfjs-wasm keeps the XNNPACK operator (with the filter packed) of a filter
  // tensor it has seen; in training every step brings new weights, so the
  // forward conv packs them every time, like each of our backward phases.
  // "new weights": a filter tensor the backend has not seen, every call.
  const rs = rounds(gflop);
  const fresh = Array.from({ length: rs + 1 }, () => tf.add(f, 0) as tf.Tensor4D);
  let next = 0;
  const [fwdMs, fwdNewMs, bpfMs, bpiMs] = timeAll([
    () => tf.conv2d(x, f, s.stride, 'same'),
    () => tf.conv2d(x, fresh[next++]!, s.stride, 'same'),
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
      { strides: s.stride, pad: 'same', dataFormat: 'NHWC', filterShape: f.shape }) as tf.Tensor,
    () => tf.conv2dTranspose(dy, f, x.shape, s.stride, 'same'),
  ], rs) as [number, number, number, number];
  tf.dispose([x, f, dy, ...fresh]);
  return { model, role: s.role, n, h: s.h, w: s.w, ci: s.ci, co: s.co, stride: s.stride, gflop, fwdMs, fwdNewMs, bpfMs, bpiMs };
}

function kernelTable(rows: KernelRow[]): string {
  const out: string[][] = [];
  const rate = (g: number, ms: number): number => g / (ms / 1000);
  const pct = (a: number, b: number): string => `${fmt((100 * a) / b, 0)}%`;
  const byModel = new Map<string, KernelRow[]>();
  for (const r of rows) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  const line = (label: string, shape: string, g: number, ms: (k: 'fwdMs' | 'fwdNewMs' | 'bpfMs' | 'bpiMs') => number): string[] => {
    const [fw, fn, bf, bi] = (['fwdMs', 'fwdNewMs', 'bpfMs', 'bpiMs'] as const).map((k) => rate(g, ms(k))) as [number, number, number, number];
    return [label, shape, fmt(g, 2), fmt(fw), fmt(fn), fmt(bf), fmt(bi), pct(bf, fw), pct(bi, fw), pct(bf, fn), pct(bi, fn)];
  };
  for (const [model, rs] of byModel) {
    for (const r of rs) out.push(line(`${model} ${r.role}`, `${r.n}x${r.h}x${r.w}x${r.ci}->${r.co} s${r.stride.join(',')}`, r.gflop, (k) => r[k]));
    out.push(line(`**${model} all**`, `batch ${rs[0]!.n}`, rs.reduce((a, r) => a + r.gflop, 0), (k) => rs.reduce((a, r) => a + r[k], 0)));
  }
  return table(['conv', 'shape (forward view)', 'GFLOP', 'Conv2D GFLOP/s', 'Conv2D, new weights', 'BackpropFilter', 'BackpropInput',
    'BPF/fwd', 'BPI/fwd', 'BPF/fwd new', 'BPI/fwd new'], out);
}

// ---------------------------------------------------------------------------
// 2. training steps

interface StepResult { model: string; microBatch: number; times: number[]; median: number }

function defaultStep(): { step: () => number; dispose: () => void } {
  const vae = new SpectrogramVae(defaultArch);
  const vars = vae.trainableVariables;
  const optimizer = tf.train.adam(5e-4);
  const [h, w, c] = defaultInput;
  const x = tf.tidy(() => tf.sigmoid(tf.randomNormal([batch, h, w, c], 0, 1, 'float32', 1))) as tf.Tensor4D;
  const labels = Array.from({ length: batch }, (_, i) => i % 10);
  const noise = tf.randomNormal([batch, defaultArch.latentDim], 0, 1, 'float32', 2) as tf.Tensor2D;
  return {
    // What trainVae does per batch (without micro-batching): variableGrads of the
    // loss, read the loss back, applyGradients.
    step: () => {
      const { value, grads } = tf.tidy(() => tf.variableGrads(() => vae.lossTerms(x, labels, noise).loss, vars));
      const v = value.dataSync()[0]!;
      value.dispose();
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      tf.dispose(Object.values(grads));
      return v;
    },
    dispose: () => {
      tf.dispose([x, noise]);
      optimizer.dispose();
      vae.encoder.dispose();
      vae.decoder.dispose();
    },
  };
}

function specStep(spec: VaeSpec, mb: number, nb = batch): { step: () => number; dispose: () => void } {
  const vae = buildVae(spec);
  const optimizer = tf.train.adam(5e-4);
  const x = tf.tidy(() => tf.sigmoid(tf.randomNormal([nb, spec.height, spec.width, 1], 0, 1, 'float32', 1)));
  const eps = tf.randomNormal([nb, spec.latent], 0, 1, 'float32', 2);
  return {
    step: () => trainStep(vae, optimizer, x, eps, mb),
    dispose: () => {
      tf.dispose([x, eps]);
      optimizer.dispose();
      vae.encoder.dispose();
      vae.decoder.dispose();
    },
  };
}

function benchStep(model: string): StepResult {
  const mb = model === 'original' ? Math.min(micro, batch) : batch;
  const n = model === 'original' ? 1 : reps;
  if (model === 'original') {
    // Warm-up on a batch of one micro-batch (a whole step takes a minute): heap growth, XNNPACK setup.
    const w = specStep(SPECS[model]!, mb, mb);
    w.step();
    w.dispose();
  }
  const s = model === 'default' ? defaultStep() : specStep(SPECS[model]!, mb);
  const times: number[] = [];
  if (model !== 'original') s.step(); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const loss = s.step();
    times.push((performance.now() - t0) / 1000);
    if (!Number.isFinite(loss)) throw new Error(`${model}: non-finite loss ${loss}`);
    console.error(`  ${model} step ${i + 1}/${n}: ${fmt(times[i]!, 3)} s (loss ${loss.toPrecision(5)})`);
  }
  s.dispose();
  return { model, microBatch: mb, times, median: median(times) };
}

// ---------------------------------------------------------------------------
// 3. PyTorch

interface TorchResult {
  torch: string;
  blas?: string[];
  referenceBlas?: boolean;
  models: Record<string, {
    microBatch: number; threads: Record<string, { median: number; times: number[] }>; bestThreads?: number; best?: number; skipped?: string;
  }>;
}

function findTorchPython(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

function runTorch(py: string, ms: string[]): TorchResult | undefined {
  const args = [path.join(here, 'torch_reference.py'), '--models', ms.join(','), '--threads', '1,2', '--batch', String(batch),
    '--reps', String(Math.max(1, reps)), '--micro', `original=${Math.min(micro, batch)}`];
  const blasDir = opt('torch-blas') ?? process.env['SPECVAE_TORCH_BLAS_DIR'];
  const env = { ...process.env };
  if (blasDir !== undefined && blasDir !== '') env['LD_LIBRARY_PATH'] = [blasDir, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  console.error(`running ${blasDir ? `LD_LIBRARY_PATH=${blasDir} ` : ''}${py} ${args.join(' ')}`);
  const r = spawnSync(py, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, env });
  if (r.status !== 0) {
    console.error(`torch_reference.py failed (status ${r.status})`);
    return undefined;
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchResult;
}

// ---------------------------------------------------------------------------

const started = new Date();
const info = await initBackend({ threads });
const header = `tfjs ${tf.version_core} wasm (${info.build}, simd ${info.simd}, XNNPACK threads ${info.threads}, our kernel threads ${info.kernelThreads}); ` +
  `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${started.toISOString()}`;
console.log(header);

const results: { header: string; kernels: KernelRow[]; steps: StepResult[]; torch?: TorchResult } = { header, kernels: [], steps: [] };

if (!flag('no-kernels')) {
  for (const m of models) {
    for (const s of convShapes(SPECS[m]!)) {
      const r = benchShape(m, s, kernelBatch(m));
      results.kernels.push(r);
      console.error(`  ${m} ${s.role}: fwd ${fmt(r.fwdMs)} ms (new weights ${fmt(r.fwdNewMs)} ms), bpf ${fmt(r.bpfMs)} ms, bpi ${fmt(r.bpiMs)} ms`);
    }
  }
  console.log(`\nConvolution kernels, GFLOP/s (2 x multiply-adds of the forward conv / median time of interleaved runs: ` +
    `${rounds(1)} per conv, ${rounds(0.5)} below 1 GFLOP, ${rounds(0.05)} below 0.1, 1 above 20):\n`);
  console.log(kernelTable(results.kernels));
}

if (!flag('no-steps')) {
  for (const m of models) {
    if (quick && m === 'original') continue;
    results.steps.push(benchStep(m));
  }
}

// The step at the other wasm thread counts (a fresh process each: the backend is set up once per
// process). Not for the original (minutes per step).
const otherSteps = new Map<string, Map<number, number>>();
if (!flag('no-steps') && !flag('child')) {
  const counts = (opt('step-threads') ?? '1').split(',').map(Number).filter((t) => t >= 1 && t !== threads);
  const ms = results.steps.map((s) => s.model).filter((m) => m !== 'original');
  for (const t of counts) {
    if (ms.length === 0) break;
    const file = path.join(os.tmpdir(), `specvae-bench-${process.pid}-${t}.json`);
    const args = [path.join(here, 'kernels.bench.ts'), '--child', '--no-kernels', '--no-torch', '--models', ms.join(','),
      '--threads', String(t), '--reps', String(reps), '--batch', String(batch), '--json', file];
    console.error(`running the wasm steps at ${t} thread(s) in a child process`);
    const r = spawnSync(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      console.error(`  the ${t}-thread run failed (status ${r.status})`);
      continue;
    }
    const child = JSON.parse(readFileSync(file, 'utf8')) as { steps: StepResult[] };
    rmSync(file, { force: true });
    for (const st of child.steps) {
      const m = otherSteps.get(st.model) ?? new Map<number, number>();
      m.set(t, st.median);
      otherSteps.set(st.model, m);
    }
  }
}

const py = flag('no-torch') || flag('no-steps') ? undefined : findTorchPython();
if (py !== undefined && results.steps.length > 0) results.torch = runTorch(py, results.steps.map((s) => s.model));

if (results.steps.length > 0) {
  const wasmCounts = [threads, ...new Set([...otherSteps.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const rows = results.steps.map((s) => {
    const t = results.torch?.models[s.model];
    const t1 = t?.threads['1']?.median ?? NaN;
    const t2 = t?.threads['2']?.median ?? NaN;
    const best = t?.best ?? NaN;
    const wasm = wasmCounts.map((c) => (c === threads ? s.median : otherSteps.get(s.model)?.get(c) ?? NaN));
    const wasmBest = Math.min(...wasm.filter(Number.isFinite));
    return [s.model, s.microBatch === batch ? String(batch) : `${batch} (${batch / s.microBatch} x ${s.microBatch})`,
      ...wasm.map((v) => fmt(v, 3)), fmt(t1, 3), fmt(t2, 3), fmt(wasmBest / best, 2)];
  });
  console.log(`\nTraining step, batch ${batch}, Adam, seconds (median of ${reps}; original: 1 step):\n`);
  console.log(table(['model', 'batch', ...wasmCounts.map((c) => `wasm ${c} thread${c > 1 ? 's' : ''}`), 'torch 1 thread', 'torch 2 threads',
    'best wasm / best torch'], rows));
  if (results.torch === undefined) {
    console.log(flag('no-torch') ? '\n(PyTorch reference skipped: --no-torch)'
      : py === undefined ? '\n(PyTorch not available: python3 -c "import torch" fails)' : '\n(PyTorch reference failed)');
  }
  else {
    console.log(`\nPyTorch ${results.torch.torch} CPU; BLAS: ${(results.torch.blas ?? []).join(', ') || 'unknown'}`);
    for (const [m, e] of Object.entries(results.torch.models)) if (e.skipped !== undefined) console.log(`PyTorch ${m}: skipped, ${e.skipped}`);
    if (results.torch.referenceBlas === true) {
      console.log('PyTorch runs on the reference BLAS, which makes its ConvTranspose2d ~10x slower: see KERNELS.md (--torch-blas)');
    }
  }
}
if (jsonOut !== undefined) {
  const steps = results.steps.map((st) => ({ ...st, otherThreads: Object.fromEntries(otherSteps.get(st.model) ?? []) }));
  writeFileSync(jsonOut, JSON.stringify({ ...results, steps }, null, 2));
}
console.log(`\ntotal ${fmt((Date.now() - started.getTime()) / 1000, 0)} s`);
process.exit(0);
