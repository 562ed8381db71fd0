// The built binary: version, help on every command, info, JSON output,
// usage errors, colour handling.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InfoReport } from '../src/commands/info.js';
import { PACKAGE_DIR, cleanEnv, errorLine, runCli, tempDir } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
const home = tempDir('cli');
afterAll(() => home.remove());
const env = cleanEnv(home.path);

describe('specvae binary', () => {
  it('prints its version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag], { env });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
      expect(r.stderr).toBe('');
    }
  });

  it('has --help for the program and every command', async () => {
    const top = await runCli(['--help'], { env });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: specvae \[options\] \[command\]/);
    for (const flag of ['--json', '--quiet', '--debug', '--version']) expect(top.stdout).toContain(flag);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) \[options\]/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['data', 'info']));
    for (const c of commands) {
      const r = await runCli([c, '--help'], { env });
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain(`Usage: specvae ${c}`);
      expect(r.stdout).toContain('Examples:');
    }
    // The main job trains on the whole training split; train holds out 3 takes for validation.
    expect((await runCli(['run', '--help'], { env })).stdout).toMatch(/--val-takes <n>\s+hold out takes [^]*?\(default: 0\)/);
    expect((await runCli(['train', '--help'], { env })).stdout).toMatch(/--val-takes <n>\s+hold out takes [^]*?\(default: 3\)/);
    const viaHelp = await runCli(['help', 'data'], { env });
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('--cache <dir>');
    expect(viaHelp.stdout).not.toContain('--manifest'); // test-only option stays hidden
  });

  it('reports the runtime with info --json (global flag before or after the command)', async () => {
    for (const args of [['info', '--json', '--no-backend'], ['--json', 'info', '--no-backend']]) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(0);
      const info = JSON.parse(r.stdout) as InfoReport;
      expect(info['specvae']).toBe(pkg.version);
      expect(info['node'].version).toBe(process.version);
      expect(typeof info['webassembly'].simd).toBe('boolean');
      expect(info['webassembly'].dspBuild).toBe(info['webassembly'].simd ? 'simd' : 'scalar');
      expect(info['cpu'].cores).toBeGreaterThan(0);
      expect(info['platform'].os).toBe(process.platform);
      expect(info['packages']['@specvae/dsp-wasm']).toMatch(/^\d+\.\d+\.\d+/);
      expect(info['packages']['@tensorflow/tfjs-core']).toMatch(/^4\./);
      expect(info['backend']).toBeNull();
      expect(info['cache'].dir).toBe(join(home.path, '.cache', 'specvae'));
    }
  });

  it('prints a readable info, with the backend or the reason it is unavailable', async () => {
    const r = await runCli(['info'], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^specvae \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/wasm simd\s+(yes|no)/);
    expect(r.stdout).toMatch(/backend\s+(tfjs wasm \(|unavailable: )/);
    expect(r.stdout).toMatch(/cpu\s+\d+ core/);
  });

  it('rejects unknown commands, unknown options and conflicting flags with exit code 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^specvae: unknown command 'frobnicate'/],
      [['info', '--frob'], /^specvae: unknown option '--frob'/],
      [['data', '--data', '/tmp', '--url', 'http://127.0.0.1:9/x.tar.gz'], /^specvae: option '--url <url>' cannot be used with option '--data <dir>'/],
      [['data', '--timeout', 'soon', '--url', 'http://127.0.0.1:9/x.tar.gz'], /^specvae: --timeout must be a positive number of seconds, got "soon"$/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLine(r.stderr)).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
    }
  });

  it('without a command, shows the help on stderr and exits 2', async () => {
    const r = await runCli([], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: specvae');
  });

  it('reports failures as one line, as JSON with --json, and with a stack only under --debug', async () => {
    const missing = join(home.path, 'no-such-folder');
    const plain = await runCli(['data', '--data', missing], { env });
    expect(plain.code).toBe(1);
    expect(errorLine(plain.stderr)).toBe(`specvae: FSDD folder ${missing} does not exist`);
    expect(plain.stderr).not.toMatch(/\n\s+at /);

    const json = await runCli(['data', '--data', missing, '--json'], { env });
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { error: { message: string; code: string; exitCode: number } };
    expect(doc.error).toMatchObject({ code: 'NOT_FOUND', exitCode: 1 });
    expect(doc.error.message).toContain('does not exist');

    const debug = await runCli(['data', '--data', missing, '--debug'], { env });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('colours only when asked: NO_COLOR and pipes give plain text, FORCE_COLOR gives ANSI', async () => {
    const missing = join(home.path, 'nothing-here');
    const plain = await runCli(['data', '--data', missing], { env });
    expect(plain.stderr).not.toContain('\u001b[');
    const forced = await runCli(['data', '--data', missing], { env: cleanEnv(home.path, { NO_COLOR: undefined, FORCE_COLOR: '1' }) });
    expect(forced.stderr).toContain('\u001b[31m');
    const piped = await runCli(['data', '--data', missing], { env: cleanEnv(home.path, { NO_COLOR: undefined }) });
    expect(piped.stderr).not.toContain('\u001b[');
  });
});
