// `specvae data` end to end through the built binary: downloads from a real
// HTTP server on 127.0.0.1 (archives built here with `tar` from real FSDD
// recordings, verified against a test manifest of the same format as the
// production one), and validation of local folders.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FSDD_DIR, cleanEnv, errorLine, runCli, tempDir } from './helpers/cli.js';
import { SAMPLE_FILES, buildArchive, startProxy, startServer, writeManifest, type TestServer } from './helpers/fsdd-server.js';

const hasFsdd = existsSync(join(FSDD_DIR, '0_george_0.wav'));
const work = tempDir('data');
const manifest = join(work.path, 'manifest.json');
let server: TestServer;
let n = 0;

/** A fresh cache folder and home for one scenario. */
function scenario(): { cache: string; env: NodeJS.ProcessEnv } {
  const dir = join(work.path, `s${++n}`);
  mkdirSync(dir, { recursive: true });
  return { cache: join(dir, 'cache'), env: cleanEnv(dir) };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** What is left in a cache folder (names), ignoring nothing. */
function cacheContents(cache: string): string[] {
  return existsSync(cache) ? readdirSync(cache).sort() : [];
}

async function archive(name: string, spec: Parameters<typeof buildArchive>[2] = {}): Promise<Buffer> {
  const staging = join(work.path, `staging-${name}`);
  mkdirSync(staging, { recursive: true });
  return buildArchive(FSDD_DIR, staging, spec);
}

function download(url: string, cache: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  return runCli(['data', '--url', url, '--cache', cache, '--manifest', manifest, ...extra], { env });
}

beforeAll(async () => {
  if (!hasFsdd) return;
  writeManifest(FSDD_DIR, SAMPLE_FILES, manifest);
  server = await startServer();
  const good = await archive('good');
  server.routes.set('/good.tar.gz', { body: good });
  server.routes.set('/chunked.tar.gz', { body: good, chunked: true });
  server.routes.set('/archive/refs/tags/v1.0.10.tar.gz', { redirect: '/chunked.tar.gz' });
  server.routes.set('/tampered.tar.gz', { body: await archive('tampered', { tamper: { name: '7_jackson_32.wav', sameSize: true } }) });
  server.routes.set('/resized.tar.gz', { body: await archive('resized', { tamper: { name: '3_nicolas_7.wav', sameSize: false } }) });
  server.routes.set('/incomplete.tar.gz', { body: await archive('incomplete', { files: SAMPLE_FILES.slice(1) }) });
  server.routes.set('/dotdot.tar.gz', { body: await archive('dotdot', { extraEntries: ['dotdot'] }) });
  server.routes.set('/absolute.tar.gz', { body: await archive('absolute', { extraEntries: ['absolute'] }) });
  server.routes.set('/symlink.tar.gz', { body: await archive('symlink', { extraEntries: ['symlink'] }) });
  server.routes.set('/hardlink.tar.gz', { body: await archive('hardlink', { extraEntries: ['hardlink'] }) });
  server.routes.set('/drop.tar.gz', { body: good, dropAfter: Math.floor(good.length / 2) });
  server.routes.set('/flaky.tar.gz', { body: good, dropAfter: Math.floor(good.length / 3), dropOnce: true });
  server.routes.set('/stall.tar.gz', { body: good, stallAfter: 1000 });
  server.routes.set('/page.tar.gz', { body: Buffer.from('<html><body>Sign in</body></html>'.repeat(40)), contentType: 'text/html' });
});

afterAll(async () => {
  await server?.close();
  work.remove();
});

describe.skipIf(!hasFsdd)('specvae data: download', () => {
  it('downloads a good archive, extracts only recordings/, verifies it, and prints where it is', async () => {
    const { cache, env } = scenario();
    const r = await download(`${server.url}/good.tar.gz`, cache, env);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const dir = join(cache, 'fsdd-v1.0.10');
    expect(r.stdout).toContain(`FSDD v1.0.10: ${SAMPLE_FILES.length} recordings downloaded`);
    expect(r.stdout).toContain(dir);
    expect(r.stderr).toContain(`downloading FSDD v1.0.10 from ${server.url}/good.tar.gz`);
    expect(r.stderr).toMatch(/download: .*recordings 10\/10/); // progress lines off a TTY
    const files = readdirSync(dir).sort();
    expect(files).toEqual([...SAMPLE_FILES, '.specvae-fsdd.json'].sort());
    for (const f of SAMPLE_FILES) expect(readFileSync(join(dir, f)).equals(readFileSync(join(FSDD_DIR, f)))).toBe(true);
    expect(cacheContents(cache)).toEqual(['fsdd-v1.0.10']); // no README, utils/ or temporary folder

    // a second run reuses the verified copy without downloading
    const before = server.hits.get('/good.tar.gz');
    const again = await download(`${server.url}/good.tar.gz`, cache, env, ['--json']);
    expect(again.code).toBe(0);
    expect(server.hits.get('/good.tar.gz')).toBe(before);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, source: 'cache', dir, count: 10, tag: 'v1.0.10' });
  });

  it('follows redirects, copes without Content-Length, and uses XDG_CACHE_HOME by default', async () => {
    const { env } = scenario();
    const r = await runCli(['data', '--url', `${server.url}/archive/refs/tags/v1.0.10.tar.gz`, '--manifest', manifest, '--json'], { env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { dir: string; source: string; downloadedBytes: number };
    expect(report.dir).toBe(join(env['XDG_CACHE_HOME']!, 'specvae', 'fsdd-v1.0.10'));
    expect(report.source).toBe('download');
    expect(report.downloadedBytes).toBe(server.routes.get('/chunked.tar.gz')!.body!.length);
  });

  it('refuses a tampered recording (checksum mismatch) and leaves no folder behind', async () => {
    for (const [path, re] of [
      ['/tampered.tar.gz', /^specvae: checksum mismatch: recordings\/7_jackson_32\.wav \(SHA-256 [0-9a-f]{12}\.\.\., expected [0-9a-f]{12}\.\.\.\); the download is corrupt or not the expected release$/],
      ['/resized.tar.gz', /^specvae: checksum mismatch: recordings\/3_nicolas_7\.wav is \d+ bytes, the v1\.0\.10 manifest says \d+/],
      ['/incomplete.tar.gz', /^specvae: the archive lacks 1 of the 10 recordings in the v1\.0\.10 manifest \(0_george_0\.wav\); it is not the expected release$/],
    ] as const) {
      const { cache, env } = scenario();
      const r = await download(`${server.url}${path}`, cache, env);
      expect(r.code, path).toBe(1);
      expect(errorLine(r.stderr)).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(cacheContents(cache), path).toEqual([]);
    }
  });

  it('refuses archives with ../ entries, absolute paths, symbolic and hard links', async () => {
    const cases = [
      ['/dotdot.tar.gz', /^specvae: refusing the archive: entry "free-spoken-digit-dataset-1\.0\.10\/recordings\/\.\.\/\.\.\/evil\.wav" points outside the target folder \(\.\.\)$/],
      ['/absolute.tar.gz', /^specvae: refusing the archive: entry "\/.*\/abs\.wav" has an absolute path$/],
      ['/symlink.tar.gz', /^specvae: refusing the archive: entry ".*\/recordings\/0_evil_0\.wav" is a symbolic link \(to "\/etc\/passwd"\)$/],
      ['/hardlink.tar.gz', /^specvae: refusing the archive: entry ".*\/recordings\/1_evil_0\.wav" is a hard link \(to "target\.wav"\)$/],
    ] as const;
    for (const [path, re] of cases) {
      const { cache, env } = scenario();
      const r = await download(`${server.url}${path}`, cache, env, ['--json']);
      expect(r.code, path).toBe(1);
      expect(errorLine(r.stderr), path).toMatch(re);
      expect(JSON.parse(r.stdout).error.code).toBe('UNSAFE_ARCHIVE');
      expect(cacheContents(cache), path).toEqual([]);
      expect(existsSync(join(cache, '..', 'evil.wav'))).toBe(false);
      expect(existsSync(join(work.path, 'evil.wav'))).toBe(false);
    }
  });

  it('reports a dropped connection, leaves a clean state, and a rerun succeeds', async () => {
    const { cache, env } = scenario();
    const r = await download(`${server.url}/drop.tar.gz`, cache, env);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toMatch(/^specvae: download interrupted after [\d.]+ kB of [\d.]+ kB: .+; run the command again$/);
    expect(cacheContents(cache)).toEqual([]);

    const flakyFirst = await download(`${server.url}/flaky.tar.gz`, cache, env);
    expect(flakyFirst.code).toBe(1);
    expect(cacheContents(cache)).toEqual([]);
    const flakySecond = await download(`${server.url}/flaky.tar.gz`, cache, env);
    expect(flakySecond.code).toBe(0);
    expect(flakySecond.stdout).toContain('recordings downloaded');
    expect(cacheContents(cache)).toEqual(['fsdd-v1.0.10']);
  });

  it('cleans up a temporary folder left by a killed run', async () => {
    const { cache, env } = scenario();
    const stale = join(cache, '.fsdd-v1.0.10.partial-999999999-deadbeef');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, '0_george_0.wav'), 'half');
    const r = await download(`${server.url}/good.tar.gz`, cache, env);
    expect(r.code).toBe(0);
    expect(cacheContents(cache)).toEqual(['fsdd-v1.0.10']);
  });

  it('re-downloads a cached copy that no longer verifies, and will not touch a folder it did not write', async () => {
    const { cache, env } = scenario();
    expect((await download(`${server.url}/good.tar.gz`, cache, env)).code).toBe(0);
    const dir = join(cache, 'fsdd-v1.0.10');
    writeFileSync(join(dir, '5_yweweler_3.wav'), 'damaged');
    const r = await download(`${server.url}/good.tar.gz`, cache, env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no longer verifies (0 missing, 1 changed); downloading it again');
    expect(readFileSync(join(dir, '5_yweweler_3.wav')).equals(readFileSync(join(FSDD_DIR, '5_yweweler_3.wav')))).toBe(true);

    rmSync(join(dir, '.specvae-fsdd.json'));
    const foreign = await download(`${server.url}/good.tar.gz`, cache, env);
    expect(foreign.code).toBe(1);
    expect(errorLine(foreign.stderr)).toBe(`specvae: ${dir} exists but was not written by specvae; remove it or choose another --cache`);
  });

  it('reports HTTP errors, stalls, non-archives and unreachable hosts in one line', async () => {
    const { cache, env } = scenario();
    const missing = await download(`${server.url}/nope.tar.gz`, cache, env);
    expect(missing.code).toBe(1);
    expect(errorLine(missing.stderr)).toBe(`specvae: download failed: HTTP 404 Not Found from ${server.url}/nope.tar.gz`);

    const t0 = Date.now();
    const stalled = await download(`${server.url}/stall.tar.gz`, cache, env, ['--timeout', '1']);
    expect(stalled.code).toBe(1);
    expect(errorLine(stalled.stderr)).toBe(`specvae: download stalled: no data for 1 s from ${server.url}/stall.tar.gz after 1.00 kB; check the network and run the command again`);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const page = await download(`${server.url}/page.tar.gz`, cache, env);
    expect(page.code).toBe(1);
    expect(errorLine(page.stderr)).toMatch(/^specvae: the download is not a valid \.tar\.gz archive \(.+\)$/);

    const port = await closedPort();
    const refused = await download(`http://127.0.0.1:${port}/fsdd.tar.gz`, cache, env);
    expect(refused.code).toBe(1);
    expect(errorLine(refused.stderr)).toBe(`specvae: connection refused by 127.0.0.1:${port}`);
    expect(cacheContents(cache)).toEqual([]);
  });

  it('stops on Ctrl-C with exit code 130 and removes the partial download', async () => {
    const { cache, env } = scenario();
    let sent = false;
    const r = await runCli(['data', '--url', `${server.url}/stall.tar.gz`, '--cache', cache, '--manifest', manifest], {
      env,
      onStderr: (err, child) => {
        if (!sent && err.includes('downloading')) { sent = true; setTimeout(() => child.kill('SIGINT'), 200); }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(errorLine(r.stderr)).toBe('specvae: download interrupted');
    expect(cacheContents(cache)).toEqual([]);
  });

  it('goes through HTTP_PROXY when it is set', async () => {
    const proxy = await startProxy();
    try {
      const { cache } = scenario();
      const env = cleanEnv(join(cache, '..'), { HTTP_PROXY: proxy.url, NO_PROXY: '' });
      const r = await download(`${server.url}/good.tar.gz`, cache, env);
      expect(r.code).toBe(0);
      expect(proxy.connects).toEqual([server.url.replace('http://', '')]);
    } finally {
      await proxy.close();
    }
  });

  it('reports a cache folder it cannot create', async () => {
    const { cache, env } = scenario();
    mkdirSync(join(cache, '..'), { recursive: true });
    writeFileSync(cache, 'a file, not a folder');
    const r = await download(`${server.url}/good.tar.gz`, join(cache, 'sub'), env);
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(`specvae: cannot create the cache folder ${join(cache, 'sub')}: not a folder`);
  });
});

describe.skipIf(!hasFsdd)('specvae data --data: local folders', () => {
  it('verifies all 3,000 recordings of the shared copy against the production manifest', async () => {
    const { env } = scenario();
    const r = await runCli(['data', '--data', FSDD_DIR, '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, source: 'local', count: 3000, tag: 'v1.0.10', bytes: 21128848, extra: [] });
    const viaEnv = await runCli(['data'], { env: { ...env, FSDD_DIR } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toMatch(/^FSDD v1\.0\.10: all 3000 recordings verified in .+ \(21\.1 MB, /);
  });

  it('lists missing, corrupted and extra files and fails', async () => {
    const { env } = scenario();
    const dir = join(work.path, 'local-copy');
    mkdirSync(dir);
    for (const f of SAMPLE_FILES.slice(1)) copyFileSync(join(FSDD_DIR, f), join(dir, f)); // 0_george_0.wav missing
    const bad = join(dir, '4_theo_9.wav');
    const data = readFileSync(bad);
    data[100] = data[100]! ^ 1;
    writeFileSync(bad, data); // corrupted, same size
    writeFileSync(join(dir, '0_me_0.wav'), readFileSync(join(FSDD_DIR, '0_george_0.wav'))); // extra
    writeFileSync(join(dir, 'notes.txt'), 'ignored');

    const r = await runCli(['data', '--data', dir, '--manifest', manifest], { env });
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(`specvae: ${dir} does not match FSDD v1.0.10: 1 missing (0_george_0.wav), 1 corrupted (4_theo_9.wav); 8 of 10 recordings verified`);
    expect(r.stderr).toContain('missing   0_george_0.wav');
    expect(r.stderr).toMatch(/corrupted 4_theo_9\.wav: SHA-256 [0-9a-f]{12}\.\.\., expected [0-9a-f]{12}\.\.\./);
    expect(r.stderr).toContain('warning: 1 .wav file in');
    expect(r.stderr).toContain('0_me_0.wav');

    const json = await runCli(['data', '--data', dir, '--manifest', manifest, '--json'], { env });
    const doc = JSON.parse(json.stdout) as { error: { code: string; details: Record<string, unknown> } };
    expect(doc.error.code).toBe('DATA_MISMATCH');
    expect(doc.error.details).toMatchObject({ missing: ['0_george_0.wav'], extra: ['0_me_0.wav'], verified: 8 });
    expect(doc.error.details['mismatched']).toEqual([{ name: '4_theo_9.wav', reason: expect.stringMatching(/^SHA-256 /) }]);

    // the production manifest on a folder with two recordings gone
    const full = await runCli(['data', '--data', dir], { env });
    expect(full.code).toBe(1);
    expect(errorLine(full.stderr)).toMatch(/does not match FSDD v1\.0\.10: 2991 missing \(0_george_0\.wav, 0_george_1\.wav, 0_george_2\.wav and 2988 more\), 1 corrupted \(4_theo_9\.wav\); 8 of 3000 recordings verified$/);
  });

  it('refuses a path that is not a folder, and an unusable manifest', async () => {
    const { env } = scenario();
    const file = join(FSDD_DIR, '0_george_0.wav');
    const r = await runCli(['data', '--data', file], { env });
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toBe(`specvae: FSDD folder ${file} is not a folder`);
    const badManifest = join(work.path, 'bad-manifest.json');
    writeFileSync(badManifest, JSON.stringify({ format: 'specvae-fsdd-manifest/1', tag: 'v1', folder: 'recordings', files: { '../x.wav': { size: 1, sha256: '0'.repeat(64) } } }));
    const m = await runCli(['data', '--data', FSDD_DIR, '--manifest', badManifest], { env });
    expect(m.code).toBe(1);
    expect(errorLine(m.stderr)).toBe(`specvae: invalid FSDD manifest ${badManifest}: unsafe file name "../x.wav"`);
  });
});
