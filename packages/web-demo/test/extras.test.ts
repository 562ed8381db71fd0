// demo-extras.json checks (pure, in Node). The PCA itself is vae-model's (pca2, project, unproject; tested there).
import { describe, expect, it } from 'vitest';
import { checkExtras, EXTRAS_FORMAT, EXTRAS_VERSION, type DemoExtras } from '../src/extras.js';

describe('checkExtras', () => {
  const good = (): DemoExtras => ({
    format: EXTRAS_FORMAT, version: EXTRAS_VERSION, latentDim: 2, source: 'test',
    pca: { mean: [0, 0], basis: [[1, 0], [0, 1]], explained: [0.6, 0.4] },
    classMeans: Array.from({ length: 10 }, (_, k) => [k, -k]),
    points: [{ file: '3_x_0.wav', digit: 3, speaker: 'x', x: 0.1, y: 0.2, z: [0.1, 0.2] }],
  });

  it('accepts a well-formed file', () => {
    expect(checkExtras(good(), 2, 'f').points).toHaveLength(1);
  });

  it('names the file and the problem', () => {
    expect(() => checkExtras({ ...good(), format: 'x' }, 2, 'model/demo-extras.json')).toThrow(/^model\/demo-extras.json: not a specvae-demo-extras file/);
    expect(() => checkExtras(good(), 16, 'f')).toThrow(/latents of size 2, the model has 16/);
    expect(() => checkExtras({ ...good(), version: EXTRAS_VERSION + 1 }, 2, 'f')).toThrow(/newer/);
    expect(() => checkExtras({ ...good(), points: [{ x: 1, y: 1, z: [1] }] }, 2, 'f')).toThrow(/bad points/);
  });
});
