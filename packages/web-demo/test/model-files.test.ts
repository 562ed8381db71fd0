// The build ships only a model's own files from public/model (a CLI model
// folder is also a checkpoint: optimiser state next to the model).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MODEL_FILES, pruneModelFolder } from '../vite.config.js';

function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), root) : [relative(root, join(dir, e.name))])).sort();
}

describe('pruneModelFolder', () => {
  it('keeps specvae.json, demo-extras.json, encoder/ and decoder/ and drops the rest of a checkpoint folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-demo-model-'));
    try {
      for (const f of [...MODEL_FILES, 'optimizer.json', 'optimizer.bin', 'state.json', 'encoder/notes.txt', 'extra/x.bin']) {
        mkdirSync(join(dir, f, '..'), { recursive: true });
        writeFileSync(join(dir, f), 'x');
      }
      expect(pruneModelFolder(dir).sort()).toEqual(['encoder/notes.txt', 'extra', 'optimizer.bin', 'optimizer.json', 'state.json']);
      expect(files(dir)).toEqual([...MODEL_FILES].sort());
      expect(pruneModelFolder(join(dir, 'missing'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
