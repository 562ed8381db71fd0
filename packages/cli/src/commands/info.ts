// `specvae info`: versions, runtime, WebAssembly SIMD, cores, the backend.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Option } from 'commander';
import { createDsp } from '@specvae/dsp-wasm';
import { action, type CommandModule } from '../context.js';
import { errorMessage } from '../errors.js';
import { datasetDir, defaultCacheDir, FSDD_TAG } from '../fsdd/source.js';
import { formatBytes } from '../output.js';
import { PACKAGE, packageVersion } from '../version.js';

interface InfoOptions {
  backend: boolean;
}

/** What `specvae info --json` prints. */
export interface InfoReport {
  specvae: string;
  node: { version: string; v8: string; modules: string };
  platform: { os: string; release: string; arch: string };
  cpu: { cores: number; model: string };
  memory: { totalBytes: number; freeBytes: number };
  packages: Record<string, string | null>;
  webassembly: { simd: boolean; dspBuild: 'simd' | 'scalar' | null; error?: string };
  backend: { backend: string; build: string; simd: boolean; threads: number } | { error: string } | null;
  cache: { dir: string; fsdd: string | null };
  env: { FSDD_DIR: string | null; NO_COLOR: boolean };
}

interface BackendInfoLike { backend: string; build: string; simd: boolean; threads: number }

/**
 * Starts the tfjs WebAssembly backend of @specvae/vae-model and reports it.
 * The import is by name at run time so that this command works (and reports
 * why) even while that package is not built.
 */
async function backendInfo(timeoutMs: number): Promise<BackendInfoLike | { error: string }> {
  const name = '@specvae/vae-model';
  try {
    const mod = (await import(name)) as { initBackend?: () => Promise<BackendInfoLike> };
    if (typeof mod.initBackend !== 'function') return { error: `${name} has no initBackend()` };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      const info = await Promise.race([mod.initBackend(), timeout]);
      return { backend: info.backend, build: info.build, simd: info.simd, threads: info.threads };
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('vae-model')) {
      return { error: `${name} is not built (run pnpm build)` };
    }
    return { error: errorMessage(e) };
  }
}

export async function collectInfo(options: { backend: boolean; env: NodeJS.ProcessEnv }): Promise<InfoReport> {
  const vae = packageVersion('@specvae/vae-model');
  const fromVae = vae?.path ?? import.meta.url;
  const packages: Record<string, string | null> = {
    '@specvae/cli': PACKAGE.version,
    '@specvae/dsp-wasm': packageVersion('@specvae/dsp-wasm')?.version ?? null,
    '@specvae/vae-model': vae?.version ?? null,
    '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core', fromVae)?.version ?? null,
    '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm', fromVae)?.version ?? null,
  };
  let webassembly: InfoReport['webassembly'];
  try {
    const dsp = await createDsp();
    webassembly = { simd: dsp.simd, dspBuild: dsp.simd ? 'simd' : 'scalar' };
  } catch (e) {
    webassembly = { simd: false, dspBuild: null, error: errorMessage(e) };
  }
  const cacheDir = defaultCacheDir(options.env);
  const fsdd = datasetDir(cacheDir, FSDD_TAG);
  const cpus = os.cpus();
  return {
    specvae: PACKAGE.version,
    node: { version: process.version, v8: process.versions.v8, modules: process.versions.modules },
    platform: { os: process.platform, release: os.release(), arch: process.arch },
    cpu: { cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    packages,
    webassembly,
    backend: options.backend ? await backendInfo(30_000) : null,
    cache: { dir: cacheDir, fsdd: existsSync(fsdd) ? fsdd : null },
    env: { FSDD_DIR: options.env['FSDD_DIR'] ?? null, NO_COLOR: Boolean(options.env['NO_COLOR']) },
  };
}

function humanInfo(r: InfoReport): string[] {
  const row = (k: string, v: string): string => `  ${k.padEnd(12)} ${v}`;
  const pk = (n: string): string => `${n} ${r.packages[n] ?? '(not installed)'}`;
  let backend: string;
  if (r.backend === null) backend = 'not started (--no-backend)';
  else if ('error' in r.backend) backend = `unavailable: ${r.backend.error}`;
  else backend = `tfjs ${r.backend.backend} (${r.backend.build} build, ${r.backend.threads} thread${r.backend.threads === 1 ? '' : 's'})`;
  return [
    `specvae ${r.specvae}`,
    row('node', `${r.node.version} (V8 ${r.node.v8})`),
    row('platform', `${r.platform.os} ${r.platform.arch} (${r.platform.release})`),
    row('cpu', `${r.cpu.cores} core${r.cpu.cores === 1 ? '' : 's'}, ${r.cpu.model}`),
    row('memory', `${formatBytes(r.memory.totalBytes)} (${formatBytes(r.memory.freeBytes)} free)`),
    row('wasm simd', r.webassembly.error ? `unknown (${r.webassembly.error})` : `${r.webassembly.simd ? 'yes' : 'no'} (dsp-wasm runs its ${r.webassembly.dspBuild} build)`),
    row('backend', backend),
    row('packages', `${pk('@specvae/dsp-wasm')}, ${pk('@specvae/vae-model')}`),
    row('tfjs', `${pk('@tensorflow/tfjs-core')}, ${pk('@tensorflow/tfjs-backend-wasm')}`),
    row('cache', `${r.cache.dir}${r.cache.fsdd ? ` (FSDD ${FSDD_TAG} downloaded)` : ''}`),
    ...(r.env.FSDD_DIR ? [row('FSDD_DIR', r.env.FSDD_DIR)] : []),
  ];
}

export const infoCommand: CommandModule = {
  name: 'info',
  register(program, invocation) {
    return program
      .command('info')
      .description('show versions, platform, cores, WebAssembly SIMD support and the compute backend')
      .addOption(new Option('--no-backend', 'do not start the tfjs WebAssembly backend (faster)'))
      .addHelpText('after', `
Examples:
  $ specvae info
  $ specvae info --json --no-backend`)
      .action(action<InfoOptions>(invocation, async (opts, ctx) => {
        const report = await collectInfo({ backend: opts.backend, env: ctx.env });
        ctx.out.result(() => humanInfo(report), report);
      }));
  },
};
