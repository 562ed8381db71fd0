// Small building blocks: path safety, ticks, formatting, output and progress.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, describeError, oneLine } from '../src/errors.js';
import { unsafePathReason } from '../src/fsdd/download.js';
import { isSafeFileName, naturalCompare, parseManifest } from '../src/fsdd/manifest.js';
import { Output, colorEnabled, formatBytes, formatDuration } from '../src/output.js';
import { ticks, niceDomain, tickFormatter } from '../src/plots/scale.js';
import { createProgress } from '../src/progress.js';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  return { stream, text: () => buf };
}

describe('archive path safety', () => {
  it('refuses absolute paths, .. components, backslashes and NUL bytes', () => {
    expect(unsafePathReason('top/recordings/0_george_0.wav')).toBeUndefined();
    expect(unsafePathReason('top/recordings/')).toBeUndefined();
    expect(unsafePathReason('top/re..cordings/a..wav')).toBeUndefined();
    expect(unsafePathReason('/etc/passwd')).toBe('has an absolute path');
    expect(unsafePathReason('C:/Windows/x')).toBe('has an absolute path');
    expect(unsafePathReason('\\\\server\\share')).toBe('has an absolute path');
    expect(unsafePathReason('top/recordings/../../x')).toBe('points outside the target folder (..)');
    expect(unsafePathReason('..')).toBe('points outside the target folder (..)');
    expect(unsafePathReason('top\\..\\x')).toBe('has a backslash in its path');
    expect(unsafePathReason('top/a\0b')).toBe('has a NUL byte in its path');
  });

  it('accepts only plain file names in manifests', () => {
    expect(isSafeFileName('7_jackson_32.wav')).toBe(true);
    for (const bad of ['', '.', '..', '../x.wav', 'a/b.wav', '.hidden', 'a\\b']) expect(isSafeFileName(bad), bad).toBe(false);
    expect(() => parseManifest({ format: 'nope' }, 'm.json')).toThrow(/invalid FSDD manifest m\.json: format is "nope"/);
    expect(() => parseManifest({ format: 'specvae-fsdd-manifest/1', tag: 'v1', folder: 'recordings', files: { 'a.wav': { size: 1, sha256: 'xyz' } } }, 'm')).toThrow(/bad sha256 for a\.wav/);
  });

  it('sorts names naturally', () => {
    expect(['2_a_10.wav', '2_a_9.wav', '10_a_0.wav'].sort(naturalCompare)).toEqual(['2_a_9.wav', '2_a_10.wav', '10_a_0.wav']);
  });
});

describe('ticks', () => {
  it('uses steps of 1, 2 and 5 times a power of ten', () => {
    expect(ticks(0, 4000, 5)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(ticks(0, 0.54, 6)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(ticks(-80, 0, 5)).toEqual([-80, -60, -40, -20, 0]);
    expect(ticks(0.3, 0.3, 5)).toEqual([0.3]);
    expect(niceDomain(-0.31, 0.31, 4)).toEqual([-0.4, 0.4]);
    const f = tickFormatter([0, 0.05, 0.1]);
    expect([0, 0.05, 0.1].map(f)).toEqual(['0', '0.05', '0.10']);
    expect(tickFormatter([-20])(-20)).toBe('\u221220');
  });
});

describe('output', () => {
  it('formats sizes and durations', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(15_469_103)).toBe('15.5 MB');
    expect(formatDuration(0.34)).toBe('0.34 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
  });

  it('decides on colour from NO_COLOR, FORCE_COLOR and the terminal', () => {
    const tty = Object.assign(new Writable(), { isTTY: true });
    const pipe = new Writable();
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('writes results to stdout (JSON with --json) and notes to stderr', () => {
    const out = sink(); const err = sink();
    const human = new Output({ streams: { stdout: out.stream, stderr: err.stream, env: {} } });
    human.note('working');
    human.result(['line 1', 'line 2'], { a: 1 });
    expect(out.text()).toBe('line 1\nline 2\n');
    expect(err.text()).toBe('working\n');
    const out2 = sink(); const err2 = sink();
    const json = new Output({ json: true, quiet: true, streams: { stdout: out2.stream, stderr: err2.stream, env: {} } });
    json.note('dropped');
    json.result('ignored', { values: new Float32Array([1, 2]) });
    expect(JSON.parse(out2.text())).toEqual({ values: [1, 2] });
    expect(err2.text()).toBe('');
  });

  it('keeps error messages to one line, and shows stacks only when asked', () => {
    expect(oneLine('a\n  b\n\nc')).toBe('a; b; c');
    const e = new CliError('broken\nreally');
    expect(describeError(e, false)).toEqual({ line: 'broken; really', exitCode: 1 });
    expect(describeError(new TypeError('boom'), false).line).toBe('unexpected error: boom (run with --debug for details)');
    expect(describeError(Object.assign(new Error('x'), { code: 'ENOSPC', path: '/data/out.wav' }), false).line)
      .toBe('cannot access /data/out.wav: no space left on the device');
    expect(describeError(new TypeError('boom'), true).stack).toMatch(/TypeError: boom\n\s+at /);
  });
});

describe('progress off a terminal', () => {
  it('prints one line per step for step counters, with the payload', () => {
    const err = sink();
    const out = new Output({ streams: { stdout: sink().stream, stderr: err.stream, env: {} } });
    const p = createProgress(out, { label: 'train', total: 3, itemName: 'epoch' });
    for (let e = 1; e <= 3; e++) p.update(e, { loss: 1 / e, kl: 2.5 });
    p.stop('done');
    expect(err.text()).toBe('train: epoch 1/3 | 33% | loss 1 | kl 2.500\ntrain: epoch 2/3 | 66% | loss 0.5000 | kl 2.500\ntrain: epoch 3/3 | 100% | loss 0.3333 | kl 2.500\ndone\n');
  });

  it('throttles byte counters and always prints the last state', () => {
    const err = sink();
    const out = new Output({ streams: { stdout: sink().stream, stderr: err.stream, env: {} } });
    const p = createProgress(out, { label: 'download', unit: 'bytes', total: 10_000_000 });
    for (let b = 1; b <= 100; b++) p.update(b * 100_000);
    p.stop();
    const lines = err.text().trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/^download: 10\.0 MB \/ 10\.0 MB \| .*100%/);
  });

  it('is silent with --quiet', () => {
    const err = sink();
    const out = new Output({ quiet: true, streams: { stdout: sink().stream, stderr: err.stream, env: {} } });
    const p = createProgress(out, { label: 'x', total: 2 });
    p.update(1); p.update(2); p.stop('bye');
    expect(err.text()).toBe('');
  });
});
