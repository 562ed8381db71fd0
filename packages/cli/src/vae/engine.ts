// The compute engines of the model commands, started once per process: the
// tfjs WebAssembly backend of @specvae/vae-model (threaded SIMD build with our
// training kernels, via initBackend) and the dsp-wasm engine. Also the one
// place where the library's errors become one-line CliErrors.
import { createDsp, WavError, type Dsp } from '@specvae/dsp-wasm';
import { initBackend, ModelFormatError, TrainingDivergedError, type BackendInfo } from '@specvae/vae-model';
import { FsddError } from '@specvae/vae-model/node';
import type { CommandContext } from '../context.js';
import { CliError, errorMessage, fromSystemError } from '../errors.js';

let dspPromise: Promise<Dsp> | undefined;

/** The dsp-wasm engine (SIMD build where available). */
export function getDsp(): Promise<Dsp> {
  dspPromise ??= createDsp().catch((e: unknown) => {
    dspPromise = undefined;
    throw new CliError(`cannot start the dsp-wasm engine: ${errorMessage(e)}`, { code: 'DSP', cause: e });
  });
  return dspPromise;
}

/**
 * Selects the tfjs `wasm` backend before any tensor work: threaded SIMD in
 * Node, with the kernels @specvae/vae-model adds for training.
 */
export async function startBackend(ctx: CommandContext, threads?: number): Promise<BackendInfo> {
  let info: BackendInfo;
  try {
    info = await initBackend(threads ? { threads } : {});
  } catch (e) {
    throw new CliError(`cannot start the tfjs WebAssembly backend: ${errorMessage(e)}`, { code: 'BACKEND', cause: e });
  }
  ctx.out.debug(`backend: tfjs ${info.backend} ${info.build}, ${info.threads} XNNPACK threads, ${info.kernelThreads} kernel threads`);
  return info;
}

/** Library errors as one-line CliErrors (others unchanged, system errors readable). */
export function asCliError(e: unknown): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof FsddError) return new CliError(e.message, { code: `FSDD_${e.code}`, cause: e });
  if (e instanceof ModelFormatError) return new CliError(e.message, { code: 'MODEL_FORMAT', cause: e });
  if (e instanceof WavError) return new CliError(e.message, { code: `WAV_${e.code}`, cause: e });
  if (e instanceof TrainingDivergedError) return new CliError(e.message, { code: 'DIVERGED', cause: e });
  return fromSystemError(e, 'cannot access');
}

/** Runs `fn`, converting library errors. */
export async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asCliError(e);
  }
}
