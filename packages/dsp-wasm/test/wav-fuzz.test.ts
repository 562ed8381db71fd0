/**
 * Fuzz test for decodeWav: > 100,000 inputs, each of which must either decode
 * to finite samples (with output no larger than the input allows) or throw a
 * WavError with a known code and a one-line message naming the file.
 *
 * Inputs: systematic mutations of valid files (truncation at every header
 * byte and around every chunk boundary, every size field set to 0 /
 * 0xFFFFFFFF / huge / off-by-one, every 'fmt ' field set to special values,
 * chunk ids swapped and replaced), then seeded random mutations (bit flips,
 * byte overwrites, insertions, deletions, chunk duplication, splices) and
 * random bytes with and without a RIFF/WAVE header.
 *
 * Reproduce a failure: the error names the seed and the case number; rerun
 * with WAV_FUZZ_SEED=<seed> (cases are generated deterministically).
 * WAV_FUZZ_CASES=<n> changes the number of random cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { decodeWav, encodeWav, WavError, type DecodeWavOptions, type WavErrorCode } from '../src/wav.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, 'fixtures', 'wav');
const SEED = Number(process.env.WAV_FUZZ_SEED ?? 0x5eedc0de) >>> 0;
const RANDOM_CASES = Number(process.env.WAV_FUZZ_CASES ?? 110_000);

const CODES = new Set<WavErrorCode>([
  'NOT_WAV',
  'TRUNCATED',
  'UNSUPPORTED_FORMAT',
  'BAD_FORMAT',
  'NO_DATA',
  'TOO_LARGE',
  'INVALID_ARGUMENT',
]);
const FORMATS = new Set(['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64']);

/** sfc32: small, fast, seedable. */
function makeRng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed ^ 0xdeadbeef;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

interface ChunkInfo {
  /** Offset of the chunk id. */
  at: number;
  id: string;
  size: number;
}

/** Independent minimal chunk walk over a valid seed file. */
function chunksOf(b: Uint8Array): ChunkInfo[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: ChunkInfo[] = [];
  let p = 12;
  while (p + 8 <= b.length) {
    const size = dv.getUint32(p + 4, true);
    out.push({ at: p, id: String.fromCharCode(...b.subarray(p, p + 4)), size });
    p += 8 + size + (size & 1);
  }
  return out;
}

function seeds(): Uint8Array[] {
  const list: Uint8Array[] = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(path.join(FIXTURES, f))));
  const s = new Float32Array(37).map((_, i) => Math.sin(i));
  list.push(encodeWav([s, s.map((x) => -x)], 44100));
  list.push(encodeWav(s, 8000, { format: 'float32' }));
  list.push(encodeWav([s, s, s, s, s], 96000, { format: 'float32' }));
  return list;
}

const SPECIAL32 = [0, 1, 2, 3, 4, 7, 8, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0x10000000, 0x0fffffff, 65535, 65536];
const SPECIAL16 = [0, 1, 2, 3, 4, 6, 7, 8, 9, 12, 16, 20, 24, 32, 33, 64, 65, 0x7fff, 0x8000, 0xfffe, 0xffff];
const IDS = ['fmt ', 'data', 'LIST', 'fact', 'junk', 'RIFF', 'WAVE', 'DATA', '\0\0\0\0', '\xff\xff\xff\xff'];

function setU32(b: Uint8Array, at: number, v: number): void {
  if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}
function setU16(b: Uint8Array, at: number, v: number): void {
  if (at + 2 <= b.length) new DataView(b.buffer, b.byteOffset).setUint16(at, v & 0xffff, true);
}
function setId(b: Uint8Array, at: number, id: string): void {
  for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = id.charCodeAt(i) & 0xff;
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface Case {
  what: string;
  bytes: Uint8Array;
}

/** Systematic mutations of one seed file. */
function* systematic(seed: Uint8Array, k: number): Generator<Case> {
  const chunks = chunksOf(seed);
  // Truncation at every byte of the first 128, and around every chunk boundary.
  const cuts = new Set<number>();
  for (let n = 0; n <= Math.min(seed.length, 128); n++) cuts.add(n);
  for (const c of chunks) {
    for (const base of [c.at, c.at + 8, c.at + 8 + c.size, c.at + 8 + c.size + (c.size & 1)]) {
      for (let d = -2; d <= 9; d++) if (base + d >= 0 && base + d <= seed.length) cuts.add(base + d);
    }
  }
  cuts.add(seed.length - 1);
  for (const n of cuts) yield { what: `seed ${k} truncated to ${n}`, bytes: seed.slice(0, n) };

  // Size fields: RIFF and every chunk.
  const sizeFields = [4, ...chunks.map((c) => c.at + 4)];
  for (const at of sizeFields) {
    const actual = new DataView(seed.buffer, seed.byteOffset).getUint32(at, true);
    for (const v of [...SPECIAL32, actual - 1, actual + 1, actual * 2, seed.length, seed.length - at - 8, seed.length - at - 7]) {
      const b = seed.slice();
      setU32(b, at, v);
      yield { what: `seed ${k} size at ${at} = ${v >>> 0}`, bytes: b };
    }
  }

  // Every 'fmt ' field (plain and extensible parts).
  const fmt = chunks.find((c) => c.id === 'fmt ');
  if (fmt !== undefined) {
    const body = fmt.at + 8;
    for (const off of [0, 2, 12, 14, 16, 18, 24]) {
      for (const v of SPECIAL16) {
        const b = seed.slice();
        setU16(b, body + off, v);
        yield { what: `seed ${k} fmt+${off} = ${v}`, bytes: b };
      }
    }
    for (const off of [4, 8, 20]) {
      for (const v of SPECIAL32) {
        const b = seed.slice();
        setU32(b, body + off, v);
        yield { what: `seed ${k} fmt+${off} = ${v}`, bytes: b };
      }
    }
    for (const tag of [0x0003, 0x0001, 0xfffe, 0x0055, 0x0006]) {
      const b = seed.slice();
      setU16(b, body, tag);
      yield { what: `seed ${k} fmt tag ${tag}`, bytes: b };
    }
  }

  // Chunk ids: replace each one, swap each pair.
  for (const c of chunks) {
    for (const id of IDS) {
      const b = seed.slice();
      setId(b, c.at, id);
      yield { what: `seed ${k} id at ${c.at} = ${JSON.stringify(id)}`, bytes: b };
    }
  }
  for (let i = 0; i < chunks.length; i++) {
    for (let j = i + 1; j < chunks.length; j++) {
      const b = seed.slice();
      setId(b, chunks[i]!.at, chunks[j]!.id);
      setId(b, chunks[j]!.at, chunks[i]!.id);
      yield { what: `seed ${k} swap ids ${chunks[i]!.id}/${chunks[j]!.id}`, bytes: b };
    }
  }
  for (const id of ['RIFX', 'RF64', 'RIFF']) {
    for (const form of ['WAVE', 'AVI ', 'wave']) {
      const b = seed.slice();
      setId(b, 0, id);
      setId(b, 8, form);
      yield { what: `seed ${k} header ${id}/${form}`, bytes: b };
    }
  }
}

/** One seeded random mutation (possibly several stacked). */
function randomCase(rng: () => number, seedList: Uint8Array[], i: number): Case {
  const int = (n: number): number => Math.floor(rng() * n);
  const kind = int(100);
  if (kind < 6) {
    const b = new Uint8Array(int(300));
    for (let j = 0; j < b.length; j++) b[j] = int(256);
    return { what: `random bytes #${i} (${b.length})`, bytes: b };
  }
  if (kind < 14) {
    // Random chunks behind a valid header.
    const parts: Uint8Array[] = [new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0, 87, 65, 86, 69])];
    const n = 1 + int(4);
    for (let c = 0; c < n; c++) {
      const len = int(64);
      const h = new Uint8Array(8 + len);
      setId(h, 0, IDS[int(IDS.length)]!);
      setU32(h, 4, rng() < 0.7 ? len : rng() < 0.5 ? SPECIAL32[int(SPECIAL32.length)]! : int(2 ** 32));
      for (let j = 8; j < h.length; j++) h[j] = int(256);
      parts.push(h);
    }
    const b = concat(...parts);
    setU32(b, 4, b.length - 8);
    return { what: `random chunks #${i}`, bytes: b };
  }
  const k = int(seedList.length);
  let b: Uint8Array = seedList[k]!.slice();
  const ops: string[] = [];
  const nOps = 1 + int(rng() < 0.8 ? 3 : 12);
  for (let o = 0; o < nOps; o++) {
    const op = int(10);
    const headerBias = (): number => (rng() < 0.7 ? int(Math.min(b.length, 80)) : int(Math.max(b.length, 1)));
    if (b.length === 0) break;
    if (op <= 2) {
      const at = headerBias();
      b[at] = b[at]! ^ (1 << int(8));
      ops.push(`flip ${at}`);
    } else if (op === 3) {
      const at = headerBias();
      b[at] = [0, 0xff, 0x7f, 0x80, 1][int(5)]!;
      ops.push(`set ${at}`);
    } else if (op === 4) {
      const at = headerBias();
      setU32(b, at, SPECIAL32[int(SPECIAL32.length)]!);
      ops.push(`u32 ${at}`);
    } else if (op === 5) {
      const n = int(b.length + 1);
      b = b.slice(0, n);
      ops.push(`cut ${n}`);
    } else if (op === 6) {
      const at = headerBias();
      const n = 1 + int(9);
      b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + n)));
      ops.push(`del ${at}+${n}`);
    } else if (op === 7) {
      const at = headerBias();
      const ins = new Uint8Array(1 + int(9)).map(() => int(256));
      b = concat(b.subarray(0, at), ins, b.subarray(at));
      ops.push(`ins ${at}+${ins.length}`);
    } else if (op === 8) {
      const cs = chunksOf(b);
      if (cs.length > 0) {
        const c = cs[int(cs.length)]!;
        const end = Math.min(b.length, c.at + 8 + c.size + (c.size & 1));
        b = concat(b.subarray(0, c.at), b.subarray(c.at, end), b.subarray(c.at));
        ops.push(`dup ${c.at}`);
      }
    } else {
      const other = seedList[int(seedList.length)]!;
      const at = int(b.length + 1);
      b = concat(b.subarray(0, at), other.subarray(int(other.length + 1)));
      ops.push(`splice ${at}`);
    }
  }
  return { what: `seed ${k} random #${i}: ${ops.join(', ')}`, bytes: b };
}

/** Returns a description of what is wrong with the outcome, or null. */
function check(bytes: Uint8Array, opts: DecodeWavOptions, counts: Map<string, number>): string | null {
  let out;
  try {
    out = decodeWav(bytes, opts);
  } catch (e) {
    if (!(e instanceof WavError)) return `threw a non-WavError: ${String(e)}`;
    counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    if (!CODES.has(e.code)) return `unknown code ${e.code}`;
    if (opts.name !== undefined && !e.message.startsWith(`${opts.name}: `)) return `message lacks the file name: ${e.message}`;
    if (opts.name === undefined && e.message.includes(': ') && e.message.startsWith('undefined')) return e.message;
    if (e.message.includes('\n') || e.message.includes('undefined') || e.message.length > 300) {
      return `bad message: ${JSON.stringify(e.message)}`;
    }
    return null;
  }
  counts.set('ok', (counts.get('ok') ?? 0) + 1);
  if (!Number.isInteger(out.sampleRate) || out.sampleRate < 1 || out.sampleRate > 1_000_000) return `sample rate ${out.sampleRate}`;
  if (!FORMATS.has(out.format)) return `format ${out.format}`;
  const nch = out.channels.length;
  if (nch < 1 || nch > 64 || (opts.mono === true && nch !== 1)) return `${nch} channels`;
  if (!Number.isInteger(out.length) || out.length < 0) return `length ${out.length}`;
  if (opts.maxSamples !== undefined && out.length > opts.maxSamples) return `length ${out.length} > maxSamples`;
  // Every decoded sample needs at least one input byte (downmix only shrinks).
  if (out.length * nch > bytes.length) return `output ${out.length}x${nch} larger than the ${bytes.length}-byte input`;
  for (const ch of out.channels) {
    if (!(ch instanceof Float32Array) || ch.length !== out.length) return 'channel array of wrong type or length';
    for (let i = 0; i < ch.length; i++) {
      const x = ch[i]!;
      if (x - x !== 0) return `non-finite sample ${x} at ${i}`;
    }
  }
  return null;
}

describe('decodeWav fuzz', () => {
  it(
    `survives >= 100,000 malformed inputs (seed 0x${SEED.toString(16)})`,
    () => {
      const rng = makeRng(SEED);
      const seedList = seeds();
      const counts = new Map<string, number>();
      let n = 0;
      const run = (c: Case): void => {
        const r = rng();
        const opts: DecodeWavOptions =
          r < 0.6
            ? { name: 'fuzz.wav' }
            : r < 0.75
              ? { name: 'fuzz.wav', mono: true }
              : r < 0.85
                ? { strict: true }
                : r < 0.95
                  ? {}
                  : { name: 'f.wav', maxSamples: Math.floor(rng() * 64) };
        const problem = check(c.bytes, opts, counts);
        if (problem !== null) {
          const hex = Array.from(c.bytes.subarray(0, 96), (x) => x.toString(16).padStart(2, '0')).join('');
          throw new Error(
            `fuzz case ${n} (WAV_FUZZ_SEED=${SEED}): ${c.what}; options ${JSON.stringify(opts)}: ${problem}\n` +
              `input (${c.bytes.length} bytes, first 96 hex): ${hex}`,
          );
        }
        n++;
      };
      // The ArrayBuffer path, and views at odd offsets, once per seed.
      for (const s of seedList) {
        run({ what: 'seed as ArrayBuffer', bytes: s });
        expect(decodeWav(s.slice().buffer).length).toBe(decodeWav(s).length);
        const shifted = new Uint8Array(s.length + 1);
        shifted.set(s, 1);
        run({ what: 'seed at odd offset', bytes: shifted.subarray(1) });
      }
      seedList.forEach((s, k) => {
        for (const c of systematic(s, k)) run(c);
      });
      const systematicCount = n;
      for (let i = 0; i < RANDOM_CASES; i++) run(randomCase(rng, seedList, i));

      expect(n).toBeGreaterThanOrEqual(100_000);
      expect(systematicCount).toBeGreaterThan(5_000);
      // The mutations must reach deep into the parser, not stop at the magic.
      expect(counts.get('ok') ?? 0).toBeGreaterThan(10_000);
      for (const code of ['NOT_WAV', 'TRUNCATED', 'UNSUPPORTED_FORMAT', 'BAD_FORMAT', 'NO_DATA', 'TOO_LARGE']) {
        expect(counts.get(code) ?? 0, `no case produced ${code}`).toBeGreaterThan(50);
      }
    },
    120_000,
  );
});
