// The bad-input matrix of the model commands, through the built binary:
// every failure is one line (`specvae: ...`), a non-zero exit code and no
// stack trace. Missing paths, unusable WAV files (skipped with a count, or
// fatal with --strict), model folders of another preset, a newer format or
// damaged, conflicting flags, a full disk (a real 320 kB tmpfs when this
// process may mount one, and the error mapping in any case), and the
// progress bar on a terminal. (Downloads: interrupted, checksum mismatch,
// `../` entries are in data.test.ts.)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelDir } from '@specvae/vae-model/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeError } from '../src/vae/files.js';
import { BIN, cleanEnv, errorLine, tempDir, type RunResult } from './helpers/cli.js';
import { cli, expectFailure, readJsonl, smallFsdd, TINY } from './helpers/model.js';

const home = tempDir('errors');
const data = join(home.path, 'fsdd');
const run = join(home.path, 'run');
const env = cleanEnv(home.path, { FSDD_DIR: data });
let trainOutput: RunResult;

function mutateJson(path: string, change: (o: Record<string, unknown>) => void): void {
  const o = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(o);
  writeFileSync(path, JSON.stringify(o));
}

beforeAll(async () => {
  smallFsdd(data, [0, 5, 10]);
  // An unusable recording among the real ones: training skips it with a warning.
  writeFileSync(join(data, '9_george_12.wav'), 'not a wav file');
  trainOutput = await cli(['train', ...TINY, '--epochs', '1', '--out', run, '--no-samples'], env);
  if (trainOutput.code !== 0) throw new Error(`training failed\n${trainOutput.stderr}`);
}, 120_000);

afterAll(() => home.remove());

describe('unusable recordings', () => {
  it('training skips them with a count; --strict makes them fatal', async () => {
    expect(trainOutput.stderr).toContain('specvae: warning: skipped 1 unusable recording in');
    expect(trainOutput.stderr).toContain('9_george_12.wav (');
    const strict = await cli(['train', ...TINY, '--epochs', '1', '--out', join(home.path, 'strict'), '--strict'], env);
    expectFailure(strict, 1, /^specvae: .*9_george_12\.wav.*--strict: stopping at the first unusable recording\)$/);
  });

  it('reconstruct skips non-WAV and corrupt files with a count; --strict makes them fatal', async () => {
    const inputs = join(home.path, 'inputs');
    mkdirSync(inputs);
    copyFileSync(join(data, '1_george_0.wav'), join(inputs, '1_george_0.wav'));
    writeFileSync(join(inputs, '2_george_0.wav'), readFileSync(join(data, '2_george_0.wav')).subarray(0, 30)); // header cut short
    writeFileSync(join(inputs, 'notes.wav'), 'hello');
    writeFileSync(join(inputs, 'readme.txt'), 'not audio'); // not a .wav: not even looked at in a folder
    const out = join(home.path, 'recon-skip');
    const r = await cli(['reconstruct', '--run', run, inputs, '--out', out, '--iterations', '2'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/specvae: warning: skipped 2 unusable files: 2_george_0\.wav \(truncated .*\), notes\.wav \(not a WAV file/);
    expect(r.stdout).toMatch(/reconstructed 1 clip .*skipped 2/);
    expect(readdirSync(out).sort()).toEqual(['1_george_0.png', '1_george_0.wav']);

    expectFailure(await cli(['reconstruct', '--run', run, inputs, '--out', out, '--strict'], env), 1, /^specvae: 2_george_0\.wav: truncated .*\(--strict: stopping at the first unusable file\)$/);
    expectFailure(await cli(['reconstruct', '--run', run, join(inputs, 'notes.wav')], env), 1, /^specvae: none of the 1 input file is a usable WAV$/);
  });
});

describe('missing paths', () => {
  it('names the missing run, input, data folder or output', async () => {
    const nowhere = join(home.path, 'nowhere');
    expectFailure(await cli(['reconstruct', '--run', nowhere], env), 1, /^specvae: no such run or model folder: .*nowhere$/);
    expectFailure(await cli(['generate', '--run', join(data, '1_george_0.wav')], env), 1, /^specvae: not a folder: .*--run takes a run folder or a model folder/);
    expectFailure(await cli(['latent', '--run', data], env), 1, /is not a specvae run or model folder \(no specvae\.json or model\/specvae\.json\)$/);
    expectFailure(await cli(['reconstruct', '--run', run, join(nowhere, 'a.wav')], env), 1, /^specvae: no such file or folder: .*nowhere\/a\.wav$/);
    expectFailure(await cli(['interpolate', '--run', run, '--from', join(nowhere, 'a.wav'), '--to', '3'], env), 1, /nowhere\/a\.wav/);
    expectFailure(await cli(['train', ...TINY, '--data', nowhere, '--out', join(home.path, 'r1')], env), 1, /^specvae: FSDD folder .*nowhere does not exist; pass the folder/);
    expectFailure(await cli(['evaluate', '--run', run, '--data', nowhere], env), 1, /^specvae: FSDD folder .*nowhere does not exist/);
    expectFailure(await cli(['train', ...TINY, '--out', join(data, '1_george_0.wav')], env), 2, /^specvae: --out .* exists and is not a folder$/);
    expectFailure(await cli(['train', ...TINY, '--out', data], env), 1, /is a folder that is not empty and not a specvae run; choose another --out$/);
    expectFailure(await cli(['train', '--out', join(home.path, 'r2'), '--resume'], env), 1, /^specvae: nothing to resume in .*r2: no config\.json there/);
  });
});

describe('model folders', () => {
  it('refuses a model of another preset', async () => {
    expectFailure(await cli(['reconstruct', '--run', run, '--preset', 'original'], env), 2,
      /^specvae: the model in .* was trained with the 'default' feature preset, not 'original'; drop --preset or use a model of that preset$/);
    expectFailure(await cli(['train', '--out', run, '--resume', '--preset', 'original'], env), 2,
      /^specvae: --preset original conflicts with the run being resumed \(--preset default\)/);
  });

  it('refuses newer formats and damaged files, also as JSON', async () => {
    const newer = join(home.path, 'newer');
    cpSync(join(run, 'model'), newer, { recursive: true });
    mutateJson(join(newer, 'specvae.json'), (o) => { o['version'] = 99; });
    expectFailure(await cli(['generate', '--run', newer], env), 1, /specvae\.json: model format version 99 is newer than this library reads \(\d+\); upgrade/);
    const json = await cli(['generate', '--run', newer, '--json'], env);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code).toBe('MODEL_FORMAT');

    const damaged = join(home.path, 'damaged');
    cpSync(join(run, 'model'), damaged, { recursive: true });
    truncateSync(join(damaged, 'decoder', 'weights.bin'), 100);
    expectFailure(await cli(['generate', '--run', damaged], env), 1, /damaged\/decoder: weights\.bin has 100 bytes, model\.json describes \d+$/);

    const foreign = join(home.path, 'foreign');
    cpSync(join(run, 'model'), foreign, { recursive: true });
    mutateJson(join(foreign, 'specvae.json'), (o) => { o['format'] = 'something-else'; });
    expectFailure(await cli(['latent', '--run', foreign], env), 1, /specvae\.json: not a specvae model/);

    const newerRun = join(home.path, 'newer-run');
    cpSync(run, newerRun, { recursive: true });
    mutateJson(join(newerRun, 'config.json'), (o) => { o['version'] = 7; });
    expectFailure(await cli(['train', '--out', newerRun, '--resume'], env), 1, /config\.json: run format version 7 is newer than this specvae reads \(1\); upgrade specvae$/);
  });
});

describe('conflicting and bad flags', () => {
  it('exits 2 with one line', async () => {
    const file = join(data, '1_george_0.wav');
    const cases: [string[], RegExp][] = [
      [['train', '--out', run, '--resume', '--overwrite'], /^specvae: option '--overwrite' cannot be used with option '--resume'$/],
      [['train', '--out', run, '--resume', '--model', 'gmvae'], /^specvae: --model gmvae conflicts with the run being resumed \(--model cvae\)/],
      [['reconstruct', '--run', run, file, '--split', 'test'], /^specvae: give input files or --split, not both$/],
      [['reconstruct', '--run', run, file, '--limit', '3'], /^specvae: --limit applies to --split, not to input files$/],
      [['train', '--epochs', '0'], /^specvae: option '--epochs <n>' argument '0' is invalid\. expected an integer from 1 to 100000$/],
      [['train', '--model', 'cvae', '--unlabelled-components'], /^specvae: --unlabelled-components is for --model gmvae$/],
      [['train', '--model', 'cvae', '--class-weight', '5'], /^specvae: --class-weight is for --model gmvae$/],
      [['train', '--model', 'gmvae', '--unlabelled-components', '--class-weight', '5'], /^specvae: option '--class-weight <w>' cannot be used with option '--unlabelled-components'$/],
      [['train', '--weight-average', '1'], /^specvae: option '--weight-average <decay>' argument '1' is invalid\. expected a number from 0 and below 1$/],
      [['train', '--model', 'big'], /^specvae: option '--model <kind>' argument 'big' is invalid\. Allowed choices are standard, gmvae, cvae\.$/],
      [['run', '--max-minutes', '-1'], /^specvae: option '--max-minutes <m>' argument '-1' is invalid\. expected a number above 0/],
      [['generate', '--run', run, '--digit', '12'], /^specvae: option '--digit <d>' argument '12' is invalid/],
      [['generate'], /^specvae: required option '-r, --run <dir>' not specified$/],
    ];
    for (const [args, re] of cases) expectFailure(await cli(args, env), 2, re);
    // A run folder is never overwritten by accident (exit 1: the flags are fine, the folder is taken).
    expectFailure(await cli(['train', ...TINY, '--out', run], env), 1, /already holds a run; continue it with --resume, replace it with --overwrite, or choose another --out$/);
  });
});

describe('full disk', () => {
  it('maps ENOSPC and friends to one line naming the file', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/x/.a.png.tmp-1' });
    expect((writeError(enospc, '/x/a.png') as Error).message).toBe('cannot write /x/a.png: no space left on the device; free some space and run the command again');
    const erofs = Object.assign(new Error('EROFS'), { code: 'EROFS' });
    expect((writeError(erofs, '/x/a.png') as Error).message).toBe('cannot write /x/a.png: read-only file system; choose another folder with --out');
    const other = new TypeError('boom');
    expect(writeError(other, '/x')).toBe(other);
  });

  // A real full disk: a tiny tmpfs, when this process may mount one (root, or CAP_SYS_ADMIN).
  const disk = join(home.path, 'disk');
  mkdirSync(disk, { recursive: true });
  const mounted = process.platform === 'linux'
    && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=320k', 'tmpfs', disk], { stdio: 'ignore' }).status === 0;
  afterAll(() => { if (mounted) spawnSync('umount', ['-l', disk], { stdio: 'ignore' }); });

  it.runIf(mounted)('stops with one line on a full disk, keeps the last complete epoch, and resumes once there is room', async () => {
    const out = join(disk, 'run');
    const r = await cli(['train', ...TINY, '--epochs', '3', '--out', out, '--no-samples'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(errorLine(r.stderr)).toMatch(/^specvae: cannot write .*: no space left on the device; /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Whatever was being written, the model folder holds complete epochs only.
    const done = existsSync(join(out, 'model', 'specvae.json'))
      ? (JSON.parse(readFileSync(join(out, 'model', 'state.json'), 'utf8')) as { epoch: number }).epoch
      : 0;
    expect(done).toBeLessThan(3);
    if (done > 0) await loadModelDir(join(out, 'model'));
    execFileSync('mount', ['-o', 'remount,size=8m', disk]);
    const resumed = await cli(['train', '--out', out, '--resume', '--no-samples', '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { epochs: number }).epochs).toBe(3);
    expect(readJsonl<{ epoch: number }>(join(out, 'metrics.jsonl')).map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(readdirSync(disk).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);

    // Outputs of the other commands too.
    rmSync(out, { recursive: true, force: true });
    execFileSync('mount', ['-o', 'remount,size=16k', disk]);
    const figures = join(disk, 'figures');
    expectFailure(await cli(['reconstruct', '--run', run, join(data, '1_george_0.wav'), '--out', figures], env), 1,
      /^specvae: cannot write .*figures.*: no space left on the device; free some space and run the command again$/);
    expect(existsSync(join(figures, '1_george_0.png')) ? readFileSync(join(figures, '1_george_0.png')).length : 0).toBe(0);
  });
});

describe('on a terminal', () => {
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  it.runIf(hasScript)('draws a progress bar with ETA and loss, reconstruction and KL, and one line per epoch', () => {
    const out = join(home.path, 'tty');
    const command = [process.execPath, BIN, 'train', ...TINY, '--epochs', '4', '--out', out, '--no-samples'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...env, NO_COLOR: undefined, TERM: 'xterm' }, encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stdout).toBe(0);
    const screen = r.stdout;
    expect(screen).toContain('\u2588'); // the bar
    // eslint-disable-next-line no-control-regex -- the escape codes of the bar are what is checked
    expect(screen).toMatch(/train\u001b\[22m [\u2588\u2591]{24} \d+\/12 \| \d+% \| (ETA [\d.]+ (ms|s) \| )?epoch [1-4]\/4 \| loss [\d.e+]+ \| recon [\d.e+]+ \| KL [\d.e+-]+/);
    expect(screen).toMatch(/\d+\/12 \| \d+% \| ETA [\d.]+ (ms|s) \| epoch [1-4]\/4 \| loss /);
    for (let e = 1; e <= 4; e++) expect(screen).toMatch(new RegExp(`\\u001b\\[2Kepoch ${e}/4 \\| loss .* \\| recon .* \\| KL .* \\| val `));
    expect(screen).not.toContain('undefined');
    expect(screen).not.toContain('NaN');
  }, 90_000);
});
