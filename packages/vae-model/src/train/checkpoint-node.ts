import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelFormatError } from '../io/bundle.js';
import { loadModelDir, saveModelDir } from '../io/node.js';
import type { Checkpoint, CheckpointStore, OptimizerState, TrainingState } from './checkpoint.js';

/**
 * A checkpoint folder: a complete model folder plus optimizer.json,
 * optimizer.bin and state.json, replaced atomically every save, so a run
 * killed at any moment (even SIGKILL) resumes from the last completed epoch.
 */
export class FolderCheckpointStore implements CheckpointStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async save(c: Checkpoint): Promise<void> {
    const bytes = new Uint8Array(c.optimizer.data.buffer, c.optimizer.data.byteOffset, c.optimizer.data.byteLength);
    await saveModelDir(this.dir, c.bundle, {
      'optimizer.json': JSON.stringify({ names: c.optimizer.names, shapes: c.optimizer.shapes }),
      'optimizer.bin': bytes,
      'state.json': JSON.stringify(c.state, null, 2),
    });
  }

  async load(): Promise<Checkpoint | null> {
    let stateText: string;
    try {
      stateText = await readFile(join(this.dir, 'state.json'), 'utf8');
    } catch {
      return null;
    }
    const where = join(this.dir, 'state.json');
    let state: TrainingState;
    let opt: { names: string[]; shapes: number[][] };
    try {
      state = JSON.parse(stateText) as TrainingState;
      opt = JSON.parse(await readFile(join(this.dir, 'optimizer.json'), 'utf8')) as typeof opt;
    } catch {
      throw new ModelFormatError(`${where}: damaged checkpoint`);
    }
    const bin = await readFile(join(this.dir, 'optimizer.bin'));
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    const optimizer: OptimizerState = { names: opt.names, shapes: opt.shapes, data };
    return { bundle: await loadModelDir(this.dir), optimizer, state };
  }
}
