/**
 * FSDD reading on the real folder: names, the official split, listing with
 * bad files, features of a split through the on-disk cache (hit, key,
 * corruption, atomic writes), and features of in-memory files.
 */
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createDsp, decodeWav, encodeWav, type Dsp } from '@specvae/dsp-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  compareFsddItems, featuresFromFiles, fsddSplitOf, parseFsddName, selectSplit,
} from '../src/data/index.js';
import {
  featureCacheKey, FsddError, listFsdd, loadFsddFeatures, readFeatureCache, writeFileAtomic,
  type FsddListing,
} from '../src/data/node.js';
import { featurePreset, featureShape, featuresFromSignal, type FeatureConfig } from '../src/features/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
const FSDD_DIR = process.env.FSDD_DIR ?? path.resolve(REPO_ROOT, '../shared/fsdd');

let dsp: Dsp;
let tmp: string;
let listing: FsddListing;

beforeAll(async () => {
  dsp = await createDsp();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'specvae-data-test-'));
  expect(existsSync(FSDD_DIR), `FSDD not found at ${FSDD_DIR}; set FSDD_DIR`).toBe(true);
  listing = listFsdd(FSDD_DIR);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function freshDir(name: string): string {
  const d = path.join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Copies real FSDD files into a new folder. */
function folderWith(name: string, files: readonly string[]): string {
  const d = freshDir(name);
  for (const f of files) copyFileSync(path.join(FSDD_DIR, f), path.join(d, f));
  return d;
}

function readSignal(file: string): Float32Array {
  return decodeWav(readFileSync(path.join(FSDD_DIR, file)), { name: file, mono: true }).channels[0]!;
}

function bytesEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('FSDD names and the official split', () => {
  it('parses {digit}_{speaker}_{index}.wav and nothing else', () => {
    expect(parseFsddName('7_jackson_32.wav')).toEqual({ file: '7_jackson_32.wav', digit: 7, speaker: 'jackson', index: 32, split: 'train' });
    expect(parseFsddName('0_george_4.wav')?.split).toBe('test');
    expect(parseFsddName('0_george_5.wav')?.split).toBe('train');
    expect(parseFsddName('3_Theo_12.WAV')).toEqual({ file: '3_Theo_12.WAV', digit: 3, speaker: 'Theo', index: 12, split: 'train' });
    for (const bad of ['README.md', '7_jackson.wav', '12_theo_3.wav', '7_jack_son_1.wav', '7_jackson_32.wav.bak',
      'x_jackson_1.wav', '7__1.wav', '7_jackson_-1.wav', '.7_jackson_1.wav', '7_jackson_1.mp3']) {
      expect(parseFsddName(bad), bad).toBeNull();
    }
    expect([0, 4, 5, 49].map(fsddSplitOf)).toEqual(['test', 'test', 'train', 'train']);
    expect(() => selectSplit([], 'dev' as 'train')).toThrow(/unknown FSDD split "dev"/);
  });

  it('lists the real folder: 3,000 recordings, 2,700 train / 300 test, 6 speakers x 10 digits x 50 takes', () => {
    expect(listing.dir).toBe(path.resolve(FSDD_DIR));
    expect(listing.items.length).toBe(3000);
    expect(listing.skipped).toEqual([]);
    expect(listing.ignored).toEqual(readdirSync(FSDD_DIR).filter((f) => !f.endsWith('.wav')).sort());
    expect(selectSplit(listing.items, 'train').length).toBe(2700);
    expect(selectSplit(listing.items, 'test').length).toBe(300);
    expect(selectSplit(listing.items).length).toBe(3000);
    expect(selectSplit(listing.items, 'test').every((it) => it.index <= 4)).toBe(true);
    const speakers = [...new Set(listing.items.map((it) => it.speaker))].sort();
    expect(speakers).toEqual(['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler']);
    for (let d = 0; d < 10; d++) expect(listing.items.filter((it) => it.digit === d).length).toBe(300);
    expect(new Set(listing.items.map((it) => `${it.digit}/${it.speaker}/${it.index}`)).size).toBe(3000);
  });

  it('is sorted deterministically (digit, speaker, numeric index) and reads the WAV headers', () => {
    expect(listing.items.slice(0, 3).map((it) => it.file)).toEqual(['0_george_0.wav', '0_george_1.wav', '0_george_2.wav']);
    expect(listing.items[10]!.file).toBe('0_george_10.wav');
    expect(listing.items.at(-1)!.file).toBe('9_yweweler_49.wav');
    expect([...listing.items].sort(compareFsddItems)).toEqual(listing.items);
    expect(listing.items.every((it) => it.sampleRate === 8000)).toBe(true);
    // The original's 0.74 s window (5,920 samples at 8 kHz) truncates 83 files; the longest is 18,262 samples.
    expect(listing.items.filter((it) => it.samples! > 5920).length).toBe(83);
    const longest = listing.items.reduce((a, b) => (b.samples! > a.samples! ? b : a));
    expect([longest.file, longest.samples]).toEqual(['9_theo_16.wav', 18262]);
    expect(featurePreset('default').length).toBeGreaterThanOrEqual(longest.samples!);
    expect(Math.min(...listing.items.map((it) => it.samples!))).toBe(1148);
  });
});

describe('bad input', () => {
  it('a folder with bad files: skipped with reasons (or a throw), others ignored', async () => {
    const d = folderWith('bad', ['0_george_0.wav', '1_theo_7.wav']);
    writeFileSync(path.join(d, '2_bad_7.wav'), 'this is not a wav file at all\n');
    writeFileSync(path.join(d, '3_empty_1.wav'), '');
    writeFileSync(path.join(d, '4_trunc_9.wav'), readFileSync(path.join(FSDD_DIR, '4_theo_9.wav')).subarray(0, 30));
    mkdirSync(path.join(d, '5_dir_1.wav'));
    writeFileSync(path.join(d, 'notes.txt'), 'hello');
    const l = listFsdd(d);
    expect(l.items.map((it) => it.file)).toEqual(['0_george_0.wav', '1_theo_7.wav']);
    expect(l.ignored).toEqual(['notes.txt']);
    expect(l.skipped.map((s) => s.file)).toEqual(['2_bad_7.wav', '3_empty_1.wav', '4_trunc_9.wav', '5_dir_1.wav']);
    const why = Object.fromEntries(l.skipped.map((s) => [s.file, s.reason]));
    expect(why['2_bad_7.wav']).toMatch(/not a WAV file/);
    expect(why['3_empty_1.wav']).toMatch(/empty file \(0 bytes\)/);
    expect(why['4_trunc_9.wav']).toMatch(/truncated/);
    expect(why['5_dir_1.wav']).toMatch(/not a regular file/);
    expect(() => listFsdd(d, { onBadFile: 'throw' })).toThrow(/2_bad_7\.wav: not a WAV file/);
    try {
      listFsdd(d, { onBadFile: 'throw' });
    } catch (e) {
      expect(e).toBeInstanceOf(FsddError);
      expect((e as FsddError).code).toBe('BAD_FILE');
    }

    // Loading: the stat-only listing drops the empty file and the folder, decoding the other two.
    const cfg = featurePreset('default');
    const r = await loadFsddFeatures(dsp, d, cfg);
    expect(r.items.map((it) => it.file)).toEqual(['0_george_0.wav', '1_theo_7.wav']);
    expect(r.shape).toEqual([2, 128, 144]);
    expect(r.skipped.length).toBe(4);
    expect(r.skipped.map((s) => s.file).sort()).toEqual(['2_bad_7.wav', '3_empty_1.wav', '4_trunc_9.wav', '5_dir_1.wav']);
    expect(r.ignored).toBe(1);
    await expect(loadFsddFeatures(dsp, d, cfg, { onBadFile: 'throw' })).rejects.toThrow(/(2_bad_7|3_empty_1|5_dir_1)\.wav/);
  });

  it('an empty folder, a folder without recordings, a missing folder, a file', async () => {
    const cfg = featurePreset('default');
    const empty = freshDir('empty');
    expect(listFsdd(empty)).toEqual({ dir: empty, items: [], skipped: [], ignored: [] });
    await expect(loadFsddFeatures(dsp, empty, cfg)).rejects.toThrow(/no FSDD recordings .* in .*empty \(the folder is empty\)/);
    const other = freshDir('other');
    writeFileSync(path.join(other, 'song.wav'), 'x');
    await expect(loadFsddFeatures(dsp, other, cfg)).rejects.toMatchObject({ code: 'EMPTY', message: expect.stringMatching(/1 other entries ignored/) });
    const missing = path.join(tmp, 'does-not-exist');
    expect(() => listFsdd(missing)).toThrow(/FSDD folder not found: .*does-not-exist/);
    await expect(loadFsddFeatures(dsp, missing, cfg)).rejects.toMatchObject({ name: 'FsddError', code: 'NOT_FOUND' });
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    expect(() => listFsdd(file)).toThrow(/not a folder/);
    // Only test-split files: asking for the train split is an error, not an empty tensor.
    const testOnly = folderWith('test-only', ['0_george_0.wav']);
    await expect(loadFsddFeatures(dsp, testOnly, cfg, { split: 'train' })).rejects.toThrow(/no recordings of the train split/);
    await expect(loadFsddFeatures(dsp, testOnly, { ...cfg, hop: 9999 })).rejects.toThrow(RangeError);
  });
});

describe('loadFsddFeatures and the cache', () => {
  it('the test split (300 real clips): built, then a cache hit with identical data, much faster', async () => {
    const cfg = featurePreset('default');
    const cacheDir = path.join(tmp, 'cache-split');
    const phases: string[] = [];
    let t = performance.now();
    const cold = await loadFsddFeatures(dsp, FSDD_DIR, cfg, { split: 'test', cacheDir, onProgress: (p) => phases.push(p.phase) });
    const coldMs = performance.now() - t;
    expect(cold.cache.status).toBe('built');
    expect(cold.cache.writeError).toBeUndefined();
    expect(cold.shape).toEqual([300, 128, 144]);
    expect(cold.items.every((it) => it.split === 'test')).toBe(true);
    expect(cold.items).toEqual(selectSplit(listing.items, 'test').map(({ file, digit, speaker, index, split }) => ({ file, digit, speaker, index, split })));
    expect(cold.skipped).toEqual([]);
    expect(phases.length).toBe(5); // chunks of 64
    expect(existsSync(cold.cache.path!)).toBe(true);
    expect(statSync(cold.cache.path!).size).toBeGreaterThan(300 * 128 * 144 * 4);

    t = performance.now();
    const hit = await loadFsddFeatures(dsp, FSDD_DIR, cfg, { split: 'test', cacheDir });
    const hitMs = performance.now() - t;
    expect(hit.cache.status).toBe('hit');
    expect(hit.cache.key).toBe(cold.cache.key);
    expect(hit.items).toEqual(cold.items);
    expect(hit.shape).toEqual(cold.shape);
    expect(bytesEqual(hit.features, cold.features)).toBe(true);
    expect(bytesEqual(hit.ranges, cold.ranges)).toBe(true);
    expect(hitMs).toBeLessThan(coldMs / 2);

    // Spot checks against the pipeline on single clips.
    const { size } = featureShape(cfg);
    for (const i of [0, 123, 299]) {
      const f = featuresFromSignal(dsp, readSignal(cold.items[i]!.file), 8000, cfg);
      expect(bytesEqual(cold.features.subarray(i * size, (i + 1) * size), f.features)).toBe(true);
      expect([cold.ranges[2 * i], cold.ranges[2 * i + 1]]).toEqual(f.range);
    }
    // The other split is another cache entry.
    expect(featureCacheKey(cfg, selectSplit(listing.items, 'train'))).not.toBe(cold.cache.key);
  });

  it('the key: every config field, the pipeline inputs and the file list count', () => {
    const c = featurePreset('default');
    const files = selectSplit(listing.items, 'test').map((f) => ({ file: f.file, size: f.size }));
    const k = featureCacheKey(c, files);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(featureCacheKey(featurePreset('default'), files.map((f) => ({ ...f })))).toBe(k);
    const variants: FeatureConfig[] = [
      { ...c, sampleRate: 16000 }, { ...c, duration: 2 }, { ...c, length: 18303 }, { ...c, nFft: 512 }, { ...c, hop: 127 },
      { ...c, winLength: 255 }, { ...c, dropNyquist: false }, { ...c, amin: 2e-5 }, { ...c, topDb: 79 }, { ...c, peak: 0.8 },
      { ...c, griffinLim: { ...c.griffinLim, nIter: 31 } }, { ...c, griffinLim: { ...c.griffinLim, momentum: 0.9 } },
      { ...c, griffinLim: { ...c.griffinLim, init: 'zeros' } }, { ...c, griffinLim: { ...c.griffinLim, seed: 9 } },
      featurePreset('original'),
    ];
    const keys = new Set(variants.map((v) => featureCacheKey(v, files)));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(k)).toBe(false);
    const resized = files.map((f, i) => (i === 7 ? { ...f, size: f.size + 2 } : f));
    expect(featureCacheKey(c, resized)).not.toBe(k);
    expect(featureCacheKey(c, files.slice(1))).not.toBe(k);
    expect(featureCacheKey(c, [...files.slice(1), files[0]!])).not.toBe(k);
  });

  it('a corrupted, truncated or foreign cache file is detected and rebuilt', async () => {
    const d = folderWith('small', ['0_george_0.wav', '3_lucas_7.wav', '6_yweweler_3.wav', '9_theo_16.wav']);
    const cfg = featurePreset('original');
    const cacheDir = path.join(tmp, 'cache-small');
    const first = await loadFsddFeatures(dsp, d, cfg, { cacheDir });
    expect(first.cache.status).toBe('built');
    const file = first.cache.path!;
    expect(path.dirname(file)).toBe(cacheDir);
    const good = readFileSync(file);
    const { nBins, nFrames } = featureShape(cfg);
    const expected = { key: first.cache.key, nBins, nFrames };
    expect(readFeatureCache(file, expected).status).toBe('hit');
    expect(readFeatureCache(path.join(cacheDir, 'nope.bin'), expected)).toEqual({ status: 'missing' });
    expect(readFeatureCache(file, { ...expected, key: 'other' })).toEqual({ status: 'invalid', reason: 'key mismatch' });

    const cases: [string, (b: Buffer) => Buffer, RegExp][] = [
      ['one flipped bit in the features', (b) => { const c = Buffer.from(b); c[c.length - 1000]! ^= 0x10; return c; }, /checksum mismatch/],
      ['truncated', (b) => b.subarray(0, b.length - 4), /size \d+ bytes, the header says/],
      ['extra bytes', (b) => Buffer.concat([b, Buffer.alloc(8)]), /size \d+ bytes, the header says/],
      ['not a cache file', () => Buffer.from('hello world, this is not it'), /bad magic/],
      ['cut inside the preamble', (b) => b.subarray(0, 10), /file too short/],
      ['garbled header', (b) => { const c = Buffer.from(b); c.fill(0x7b, 16, 40); return c; }, /header is not valid JSON/],
    ];
    for (const [what, corrupt, reason] of cases) {
      writeFileSync(file, corrupt(good));
      const r = readFeatureCache(file, expected, { verify: 'full' });
      expect(r.status, what).toBe('invalid');
      expect(r.status === 'invalid' ? r.reason : '', what).toMatch(reason);
      const again = await loadFsddFeatures(dsp, d, cfg, { cacheDir, verifyCache: 'full' });
      expect(again.cache.status, what).toBe('built');
      expect(again.cache.rebuiltBecause, what).toMatch(reason);
      expect(bytesEqual(again.features, first.features), what).toBe(true);
      expect(readFileSync(file).equals(good), what).toBe(true);
      expect((await loadFsddFeatures(dsp, d, cfg, { cacheDir })).cache.status, what).toBe('hit');
    }
    // The default 'header' verification catches all of these but the flipped bit (it skips the checksum).
    for (const [what, corrupt] of cases) {
      writeFileSync(file, corrupt(good));
      expect(readFeatureCache(file, expected).status, what).toBe(what.startsWith('one flipped bit') ? 'hit' : 'invalid');
    }
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a cache write is atomic: a failure midway leaves the old file intact and no temporary file', () => {
    const dir = freshDir('atomic');
    const target = path.join(dir, 'x.bin');
    writeFileAtomic(target, [new Uint8Array([1, 2, 3]), new Float32Array([1.5])]);
    expect([...readFileSync(target)]).toEqual([1, 2, 3, ...new Uint8Array(new Float32Array([1.5]).buffer)]);
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1 << 20).fill(9);
      // The file is half written when this happens.
      expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
      expect(readFileSync(target).length).toBe(7);
      throw new Error('disk on fire');
    }
    expect(() => writeFileAtomic(target, failing())).toThrow('disk on fire');
    expect(readFileSync(target).length).toBe(7);
    expect(readdirSync(dir)).toEqual(['x.bin']);
  });

  it('an unwritable cache location does not fail the load', async () => {
    const d = folderWith('unwritable', ['0_george_0.wav']);
    const blocker = path.join(tmp, 'blocker');
    writeFileSync(blocker, 'a file where the cache folder should be');
    const r = await loadFsddFeatures(dsp, d, featurePreset('default'), { cacheDir: path.join(blocker, 'cache') });
    expect(r.cache.status).toBe('write-failed');
    expect(r.cache.writeError).toMatch(/EEXIST|ENOTDIR/);
    expect(r.shape).toEqual([1, 128, 144]);
    const off = await loadFsddFeatures(dsp, d, featurePreset('default'));
    expect(off.cache.status).toBe('off');
    expect(bytesEqual(off.features, r.features)).toBe(true);
  });
});

describe('featuresFromFiles (in-memory files, e.g. a browser selection)', () => {
  it('decodes, resamples and labels what it can; skips the rest', () => {
    const cfg = featurePreset('default');
    const names = ['0_george_0.wav', '5_jackson_3.wav', '9_theo_16.wav'];
    const files = names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(FSDD_DIR, name))) }));
    // A stereo 16 kHz recording with a free-form name, passed as an ArrayBuffer.
    const stereo = encodeWav([new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i * 0.2)), new Float32Array(16000)], 16000);
    const inputs = [
      files[0]!, { name: 'notes.wav', bytes: new TextEncoder().encode('not audio') }, files[1]!,
      { name: 'my recording.wav', bytes: stereo.buffer }, files[2]!,
      { name: 'odd-rate.wav', bytes: encodeWav(new Float32Array(800), 7919) },
    ];
    const progress: { done: number; total: number }[] = [];
    const r = featuresFromFiles(dsp, inputs, cfg, { onProgress: (p) => progress.push(p) });
    expect(progress).toEqual([{ done: 6, total: 6 }]);
    expect(r.files.map((f) => f.name)).toEqual(['0_george_0.wav', '5_jackson_3.wav', 'my recording.wav', '9_theo_16.wav']);
    expect(r.files.map((f) => f.position)).toEqual([0, 2, 3, 4]);
    expect(r.files.map((f) => f.fsdd?.digit ?? null)).toEqual([0, 5, null, 9]);
    expect(r.files[1]!.fsdd!.split).toBe('test');
    expect(r.files[2]).toMatchObject({ sampleRate: 16000, samples: 16000 });
    expect(r.shape).toEqual([4, 128, 144]);
    expect(r.features.length).toBe(4 * 128 * 144);
    expect(r.ranges.length).toBe(8);
    expect(r.skipped.map((s) => s.file)).toEqual(['notes.wav', 'odd-rate.wav']);
    expect(r.skipped[0]!.reason).toMatch(/notes\.wav: not a WAV file/);
    expect(r.skipped[1]!.reason).toMatch(/unsupported sample rate 7919 Hz/);
    const { size } = featureShape(cfg);
    const theo = featuresFromSignal(dsp, readSignal('9_theo_16.wav'), 8000, cfg);
    expect(bytesEqual(theo.features, r.features.subarray(3 * size, 4 * size))).toBe(true);
    const left = decodeWav(stereo).channels[0]!;
    const mono = featuresFromSignal(dsp, left.map((v) => v / 2), 16000, cfg); // the downmix averages channels
    expect(bytesEqual(mono.features, r.features.subarray(2 * size, 3 * size))).toBe(true);
    expect(() => featuresFromFiles(dsp, inputs, cfg, { onBadFile: 'throw' })).toThrow(/notes\.wav: not a WAV file/);
    expect(featuresFromFiles(dsp, [], cfg).shape).toEqual([0, 128, 144]);
  });
});
