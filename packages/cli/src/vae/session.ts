// What every command that uses a trained model does first: start the
// backend (before any tensor exists), the DSP engine, and open `--run`.
import { join } from 'node:path';
import type { Dsp } from '@specvae/dsp-wasm';
import type { CommandContext } from '../context.js';
import { getDsp, startBackend } from './engine.js';
import { findModel, openModel, type OpenedModel } from './runs.js';

export interface Session {
  dsp: Dsp;
  model: OpenedModel;
}

/**
 * Checks `--run` (and `--preset`) first, then runs `before` (e.g. finding the
 * data), and only then starts the engines and loads the weights: bad input
 * fails in a fraction of a second.
 */
export async function openSession(ctx: CommandContext, run: string, preset?: string, before?: () => Promise<void>): Promise<Session> {
  const found = await findModel(run, preset !== undefined ? { preset } : {});
  await before?.();
  const dsp = await getDsp();
  await startBackend(ctx);
  const model = await openModel(found);
  ctx.out.debug(`model ${model.modelDir}: ${model.description}`);
  return { dsp, model };
}

/** An output folder: --out, else `<run>/<name>` for a run folder, else `./<name>`. */
export function outputDir(model: OpenedModel, out: string | undefined, name: string): string {
  if (out !== undefined) return out;
  return model.runDir ? join(model.runDir, name) : join(process.cwd(), name);
}
