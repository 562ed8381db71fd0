/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents of the binary */
// End to end through the built binary: a tiny model trained for a few steps
// on a handful of real FSDD clips, then reconstruct, generate, interpolate,
// latent, evaluate, run and bench, checking the files and the numbers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '@specvae/dsp-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, tempDir } from './helpers/cli.js';
import { cli, cliJson, expectFailure, expectPng, expectSvg, expectWav, readJsonl, smallFsdd, TINY } from './helpers/model.js';

const home = tempDir('model');
afterAll(() => home.remove());
const data = join(home.path, 'fsdd');
const run = join(home.path, 'runs', 'tiny');
const env = cleanEnv(home.path, { FSDD_DIR: data });

interface EpochLine { epoch: number; loss: number; recon: number; kl: number; valLoss?: number; seconds: number }

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

let trained: Record<string, any>;

beforeAll(async () => {
  smallFsdd(data);
  trained = await cliJson(['train', ...TINY, '--epochs', '2', '--out', run], env);
}, 120_000);

describe('specvae train', () => {
  it('writes config, metrics, model, loss curve and samples', () => {
    expect(trained['runDir']).toBe(run);
    expect(trained['epochs']).toBe(2);
    expect(trained['stoppedBy']).toBe('epochs');
    expect(trained['clips']).toEqual({ train: 40, validation: 20 });
    expect(trained['config'].model).toBe('cvae');
    expect(trained['config'].preset).toBe('default');
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Record<string, any>;
    expect(config['format']).toBe('specvae-run');
    expect(config['architecture'].inputShape).toEqual([128, 144, 1]);
    // The default preset's recipe: the per-variable spike guard is on, and each epoch counts the steps it cut.
    expect(config['spikeClip']).toBe(2);
    const metrics = readJsonl<EpochLine>(join(run, 'metrics.jsonl'));
    for (const m of metrics as (EpochLine & { clippedSteps?: number })[]) expect(Number.isInteger(m.clippedSteps)).toBe(true);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of metrics) {
      for (const k of ['loss', 'recon', 'kl', 'valLoss', 'seconds'] as const) expect(finite(m[k]), k).toBe(true);
      expect(m.loss).toBeGreaterThan(0);
    }
    const manifest = JSON.parse(readFileSync(join(run, 'model', 'specvae.json'), 'utf8')) as Record<string, any>;
    expect(manifest['format']).toBe('specvae-model');
    expect(manifest['training'].preset).toBe('default');
    for (const f of ['encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'decoder/weights.bin', 'state.json']) {
      expect(existsSync(join(run, 'model', f)), f).toBe(true);
    }
    expectPng(join(run, 'plots', 'loss.png'));
    expectSvg(join(run, 'plots', 'loss.svg'));
    const samples = readdirSync(join(run, 'samples')).sort();
    expect(samples.filter((f) => f.endsWith('.wav'))).toHaveLength(10);
    for (let d = 0; d < 10; d++) {
      expectWav(join(run, 'samples', `digit-${d}-01.wav`), 8000, 18304);
      expectPng(join(run, 'samples', `digit-${d}-01.png`));
    }
  });

  it('prints one line per epoch off a terminal, and a human summary', async () => {
    const out = join(home.path, 'runs', 'lines');
    const r = await cli(['train', ...TINY, '--epochs', '2', '--out', out, '--no-samples'], env);
    expect(r.code, r.stderr).toBe(0);
    const epochLines = r.stderr.split('\n').filter((l) => /^epoch \d+\/2 \| loss /.test(l));
    expect(epochLines).toHaveLength(2);
    expect(epochLines[0]).toMatch(/recon .* \| KL .* \| val /);
    expect(r.stdout).toMatch(/trained cvae \(default preset\) to epoch 2 of 2/);
    expect(r.stdout).toContain('loss curve');
    expect(existsSync(join(out, 'samples'))).toBe(false);
  });
});

describe('specvae reconstruct', () => {
  it('reconstructs test clips: a 2 x 2 figure and a WAV each, with finite errors', async () => {
    const r = await cliJson<Record<string, any>>(['reconstruct', '--run', run, '--limit', '3'], env);
    expect(r['clips']).toHaveLength(3);
    expect(new Set(r['clips'].map((c: { digit: number }) => c.digit)).size).toBe(3);
    for (const c of r['clips']) {
      expect(c.name).toMatch(/^\d_(george|jackson)_0\.wav$/);
      expect(finite(c.mse) && c.mse >= 0 && c.mse <= 1).toBe(true);
      expect(finite(c.lsd) && c.lsd >= 0).toBe(true);
      const png = expectPng(c.png, 1500, 900);
      expect(png.width / png.height).toBeCloseTo(1000 / 620, 1);
      // The reconstruction has the recording's own length (not the padded 2.29 s window).
      const original = decodeWav(readFileSync(join(data, c.name)), { mono: true });
      const samples = expectWav(c.wav);
      expect(samples.length).toBe(original.length);
    }
    expect(r['clips'][0].png).toBe(join(run, 'reconstructions', `${r['clips'][0].name.replace('.wav', '')}.png`));
  });

  it('reconstructs files and folders given on the command line', async () => {
    const out = join(home.path, 'recon-files');
    const r = await cliJson<Record<string, any>>(['reconstruct', '--run', run, join(data, '7_jackson_10.wav'), join(data, '3_george_0.wav'), '--out', out], env);
    expect(r['clips'].map((c: { name: string }) => c.name)).toEqual(['7_jackson_10.wav', '3_george_0.wav']);
    expect(readdirSync(out).sort()).toEqual(['3_george_0.png', '3_george_0.wav', '7_jackson_10.png', '7_jackson_10.wav']);
  });
});

describe('specvae generate and interpolate', () => {
  it('generates every digit (the fitted class prior, with the cvae condition): WAV + spectrogram PNG', async () => {
    const r = await cliJson<Record<string, any>>(['generate', '--run', run, '--digit', 'all', '-n', '1', '--iterations', '8', '--temperature', '0.8'], env);
    expect(r['method']).toBe('class-prior');
    expect(JSON.parse(readFileSync(join(run, 'model', 'specvae.json'), 'utf8')).classPrior.means).toHaveLength(10);
    expect(r['clips'].map((c: { digit: number }) => c.digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const c of r['clips']) {
      expect(c.wav).toBe(join(run, 'generated', `digit-${c.digit}-01.wav`));
      expectWav(c.wav, 8000, 18304);
      expectPng(c.png, 1000, 500);
      expect(finite(c.convergence)).toBe(true);
    }
  });

  it('generates random samples', async () => {
    const out = join(home.path, 'random');
    const r = await cliJson<Record<string, any>>(['generate', '--run', run, '-n', '3', '--out', out], env);
    expect(r['clips']).toHaveLength(3);
    expect(readdirSync(out).filter((f) => f.endsWith('.wav'))).toHaveLength(3);
  });

  it('samples a gmvae\'s mixture components (component k is digit k by default), and explains bad --component', { timeout: 120_000 }, async () => {
    const gm = join(home.path, 'runs', 'gmvae');
    const t = await cliJson<Record<string, any>>(['train', ...TINY, '--model', 'gmvae', '--class-weight', '20', '--epochs', '1', '--no-samples', '--out', gm], env);
    expect(t['config'].architecture.labelledComponents).toBe(true);
    expect(t['config'].architecture.classWeight).toBe(20);
    // The class term is reported beside recon and KL, and the loss is their weighted sum.
    const last = t['last'];
    expect(last.classNll).toBeGreaterThan(0);
    expect(last.loss).toBeCloseTo(last.recon + last.kl * last.klScale + 20 * last.classNll, 1);
    const r = await cliJson<Record<string, any>>(['generate', '--run', gm, '--component', '0,2', '-n', '2', '--iterations', '4'], env);
    expect(r['method']).toBe('component');
    expect(r['clips'].map((c: { component: number; sample: number }) => [c.component, c.sample])).toEqual([[0, 1], [0, 2], [2, 1], [2, 2]]);
    expectWav(join(gm, 'generated', 'component-2-02.wav'), 8000, 18304);
    expectPng(join(gm, 'generated', 'component-0-01.png'));
    expectFailure(await cli(['generate', '--run', gm, '--component', '10'], env), 2, /^specvae: --component 10: the model has components 0-9$/);
    expectFailure(await cli(['generate', '--run', run, '--component', 'all'], env), 2, /^specvae: --component needs a Gaussian-mixture VAE; .* has no mixture prior$/);
  });

  it('interpolates between two digits and between two recordings', async () => {
    const a = await cliJson<Record<string, any>>(['interpolate', '--run', run, '--from', '3', '--to', '8', '--steps', '4'], env);
    expect(a['steps'].map((s: { t: number }) => s.t)).toEqual([0, 1 / 3, 2 / 3, 1]);
    for (const s of a['steps']) expectWav(s.wav);
    expectPng(a['strip'].png, 800, 300);
    expectSvg(a['strip'].svg);
    expect(a['outDir']).toBe(join(run, 'interpolations', '3-8'));
    const b = await cliJson<Record<string, any>>(['interpolate', '--run', run, '--from', join(data, '1_george_0.wav'), '--to', join(data, '1_jackson_0.wav'), '--steps', '3'], env);
    expect(b['from']).toBe('1_george_0.wav');
    expect(b['steps']).toHaveLength(3);
  });
});

describe('specvae latent and evaluate', () => {
  it('draws PCA and t-SNE of the test latents (SVG + PNG) and saves the coordinates', async () => {
    const r = await cliJson<Record<string, any>>(['latent', '--run', run, '--iterations', '200'], env);
    expect(r['clips']).toBe(20);
    expect(r['latentDim']).toBe(4);
    const [e1, e2] = r['pca'].explained as [number, number];
    expect(e1).toBeGreaterThan(0);
    expect(e1 + e2).toBeLessThanOrEqual(1 + 1e-9);
    expect(e1).toBeGreaterThanOrEqual(e2);
    for (const p of [r['pca'], r['tsne']]) {
      expectPng(p.png, 1000, 800);
      expect(expectSvg(p.svg)).toContain('<circle');
    }
    const saved = JSON.parse(readFileSync(r['data'], 'utf8')) as { clips: { digit: number; mu: number[]; pca: number[]; tsne: number[] }[] };
    expect(saved.clips).toHaveLength(20);
    for (const c of saved.clips) for (const v of [...c.mu, ...c.pca, ...c.tsne]) expect(finite(v)).toBe(true);
  });

  it('evaluates: the package metrics as a table and JSON', async () => {
    const args = ['evaluate', '--run', run, '--classifier-epochs', '1', '--audio-clips', '2', '--per-digit', '2', '--random-samples', '20'];
    const human = await cli(args, env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/reconstruction MSE .* 0\.\d{5}/);
    expect(human.stdout).toMatch(/classifier accuracy, reconstructions\s+\d+\.\d %/);
    expect(human.stdout).toContain(`report: ${join(run, 'evaluation.json')}`);
    const r = JSON.parse(readFileSync(join(run, 'evaluation.json'), 'utf8')) as Record<string, any>;
    const e = r['report'];
    expect(finite(e.reconstructionMse) && e.reconstructionMse > 0 && e.reconstructionMse < 1).toBe(true);
    expect(finite(e.logSpectralDistance)).toBe(true);
    expect(finite(r['logSpectralDistanceOwnLength'])).toBe(true);
    for (const k of ['testAccuracy', 'reconstructionAccuracy', 'conditionalAccuracy']) expect(e[k] >= 0 && e[k] <= 1, k).toBe(true);
    expect(e.inceptionScore).toBeGreaterThanOrEqual(1 - 1e-6);
    expect(e.inceptionScore).toBeLessThanOrEqual(10 + 1e-6);
    expect(e.conditionalMethod).toBe('class-prior');
    expect(human.stdout).toMatch(/generated digits \(class prior\)\s+\d+\.\d %\n\s+the same with N\(0, I\) latents and the condition\s+\d+\.\d %/);
    expect(e.conditionalAccuracyByDigit).toHaveLength(10);
    expect(human.stdout).toMatch(new RegExp(`generated digits 0-9 recognised\\s+${e.conditionalAccuracyByDigit.map((v: number) => (100 * v).toFixed(0)).join(' ')} %`));
    expect(r['testClips']).toBe(20);
    expect(e.clips).toBe(20);
  });
});

describe('specvae run (main job) and bench', () => {
  it('trains and writes reconstructions, generations, latent plots and the evaluation', async () => {
    const out = join(home.path, 'runs', 'main');
    const r = await cliJson<Record<string, any>>([
      // The training budget (60 ms) cannot fit a second epoch: training stops after one.
      'run', ...TINY, '--epochs', '5', '--max-minutes', '0.001', '--out', out, '--reconstructions', '2', '--per-digit', '1', '--classifier-epochs', '1', '--audio-clips', '2',
      '--eval-per-digit', '2', '--eval-random-samples', '20',
    ], env);
    expect(r['training'].epochs).toBe(1);
    expect(r['training'].stoppedBy).toBe('time');
    expect(r['classifierSeconds']).toBeGreaterThan(0);
    expect(r['trainingSeconds']).toBeGreaterThan(0);
    // The budget counts training only: the classifier and the features come before it.
    expect(r['untilTrainedSeconds']).toBeGreaterThan(r['classifierSeconds'] + r['trainingSeconds']);
    expect(r['reconstructions']).toHaveLength(2);
    expect(r['generated']).toHaveLength(10);
    for (const f of ['config', 'metrics', 'lossCurve', 'evaluation', 'summary']) expect(existsSync(r['files'][f]), f).toBe(true);
    expectPng(r['latent'].pca.png);
    expectPng(r['latent'].tsne.png);
    expect(finite(r['evaluation'].report.reconstructionMse)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).runDir).toBe(out);
    expect(r['seconds']).toBeGreaterThan(0);
  });

  it('benchmarks DSP and training', async () => {
    const r = await cliJson<Record<string, any>>(['bench', '--tiny', '--steps', '1', '--batch-size', '4', '--clips', '8', '--data', data], env);
    expect(r['backend'].backend).toBe('wasm');
    expect(r['dsp'].source).toBe('fsdd');
    for (const v of [r['dsp'].clipsPerSecond, r['dsp'].griffinLimMs, r['training'].msPerStep, r['inference'].msPerClip]) {
      expect(finite(v) && v > 0).toBe(true);
    }
  });
});
