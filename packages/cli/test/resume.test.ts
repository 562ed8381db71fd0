// Interrupted training: SIGKILL at any moment loses at most the epoch in
// progress and never leaves a half-written model that loads; Ctrl-C
// (SIGINT) finishes the batch, writes a checkpoint and exits 130; --resume
// continues without repeating epochs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelDir } from '@specvae/vae-model/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, errorLine, tempDir } from './helpers/cli.js';
import { cli, cliJson, readJsonl, smallFsdd, TINY } from './helpers/model.js';

const home = tempDir('resume');
afterAll(() => home.remove());
const data = join(home.path, 'fsdd');
const env = cleanEnv(home.path, { FSDD_DIR: data });

beforeAll(() => { smallFsdd(data); });

interface State { epoch: number; history: { epoch: number }[] }
const state = (run: string): State => JSON.parse(readFileSync(join(run, 'model', 'state.json'), 'utf8')) as State;
const epochsIn = (run: string): number[] => readJsonl<{ epoch: number }>(join(run, 'metrics.jsonl')).map((m) => m.epoch);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('resume', () => {
  it('continues after SIGKILL, losing at most the epoch in progress', async () => {
    const run = join(home.path, 'killed');
    const killed = await cli(['train', ...TINY, '--epochs', '5', '--out', run, '--no-samples'], env, {
      onStderr: (stderr, child) => { if (/^epoch 2\/5 /m.test(stderr)) child.kill('SIGKILL'); },
    });
    expect(killed.code).toBeNull();
    const at = state(run).epoch;
    // The line of epoch 2 is printed after its checkpoint: at most the next epoch can have ended since.
    expect(at).toBeGreaterThanOrEqual(2);
    expect(at).toBeLessThanOrEqual(3);
    expect(epochsIn(run).length).toBeGreaterThanOrEqual(2);
    await loadModelDir(join(run, 'model'));

    const r = await cli(['train', '--out', run, '--resume', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming cvae (default preset, tiny) at epoch ${at + 1}`);
    const result = JSON.parse(r.stdout) as { resumedFrom: number; epochs: number };
    expect(result.resumedFrom).toBe(at);
    expect(result.epochs).toBe(5);
    expect(epochsIn(run)).toEqual(range(1, 5));
    expect(state(run).history.map((h) => h.epoch)).toEqual(range(1, 5));
  });

  it('never leaves a model that half loads, whenever it is killed', async () => {
    const run = join(home.path, 'many-kills');
    const epochs = 6;
    let resume = false;
    const t0 = Date.now();
    for (let kill = 0; kill < 3; kill++) {
      const extra = [0, 150, 350][kill]!;
      const args = resume ? ['train', '--out', run, '--resume', '--no-samples'] : ['train', ...TINY, '--epochs', String(epochs), '--out', run, '--no-samples'];
      let armed = false;
      const r = await cli(args, env, {
        onStderr: (stderr, child) => {
          if (!armed && /^epoch \d+\/\d+ /m.test(stderr)) {
            armed = true;
            setTimeout(() => child.kill('SIGKILL'), extra);
          }
        },
      });
      if (r.code === 0) break; // finished before the kill
      expect(r.code).toBeNull();
      resume = existsSync(join(run, 'config.json'));
      if (existsSync(join(run, 'model'))) {
        const bundle = await loadModelDir(join(run, 'model'));
        expect(bundle.manifest.format).toBe('specvae-model');
        const s = state(run);
        expect(epochsIn(run).slice(0, s.epoch)).toEqual(range(1, s.epoch));
      }
    }
    console.log(`kills took ${Date.now() - t0} ms`);
    const done = await cliJson<{ epochs: number }>(['train', '--out', run, '--resume', '--no-samples'], env);
    expect(done.epochs).toBe(epochs);
    expect(epochsIn(run)).toEqual(range(1, epochs));
    const gen = await cliJson<{ clips: unknown[] }>(['generate', '--run', run, '--digit', '4', '-n', '1', '--iterations', '4'], env);
    expect(gen.clips).toHaveLength(1);
    console.log(`whole test ${Date.now() - t0} ms`);
  }, 150_000);

  it('stops cleanly on Ctrl-C: checkpoint, one line, exit 130; --resume finishes', async () => {
    const run = join(home.path, 'interrupted');
    let sent = false;
    const r = await cli(['train', ...TINY, '--epochs', '50', '--out', run, '--no-samples'], env, {
      onStderr: (stderr, child) => {
        if (!sent && /^epoch 1\/50 /m.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('stopping (press Ctrl-C again to quit at once)');
    const at = state(run).epoch;
    expect(at).toBeGreaterThanOrEqual(1);
    expect(errorLine(r.stderr)).toBe(`specvae: interrupted: the checkpoint in ${join(run, 'model')} holds ${at} complete epoch${at === 1 ? '' : 's'}; continue with specvae train --out ${run} --resume`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(epochsIn(run)).toEqual(range(1, at));
    const done = await cliJson<{ epochs: number; resumedFrom: number }>(['train', '--out', run, '--resume', '--epochs', String(at + 1), '--no-samples'], env);
    expect(done.resumedFrom).toBe(at);
    expect(done.epochs).toBe(at + 1);
    expect(epochsIn(run)).toEqual(range(1, at + 1));
  });
});
