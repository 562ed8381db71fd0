import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { decodeWav, encodeWav, WavError, type WavErrorCode, type WavSampleFormat } from '../src/wav.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, 'fixtures', 'wav');
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
const FSDD_DIR = process.env.FSDD_DIR ?? path.resolve(REPO_ROOT, '../shared/fsdd');

interface FixtureEntry {
  file: string;
  writer: string;
  sampleRate: number;
  format: WavSampleFormat;
  channels: number;
  length: number;
  expected: number[][];
}

const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as {
  fixtures: FixtureEntry[];
};

function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

function entry(name: string): FixtureEntry {
  const e = manifest.fixtures.find((f) => f.file === name);
  if (e === undefined) throw new Error(`no manifest entry for ${name}`);
  return e;
}

/** Index of the first element where actual !== fround(expected), or -1. */
function firstMismatch(actual: Float32Array, expected: readonly number[]): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) if (actual[i] !== Math.fround(expected[i]!)) return i;
  return -1;
}

// ---------------------------------------------------------------------------
// Hand-built WAVs for the error cases.

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}
function u16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}
function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
function chunk(id: string, body: number[] | Uint8Array, size = body.length): number[] {
  const out = [...ascii(id), ...u32(size), ...body];
  if (body.length % 2 === 1) out.push(0);
  return out;
}
function fmtBody(o: { tag?: number; channels?: number; rate?: number; blockAlign?: number; bits?: number } = {}): number[] {
  const channels = o.channels ?? 1;
  const bits = o.bits ?? 16;
  const rate = o.rate ?? 8000;
  const blockAlign = o.blockAlign ?? channels * Math.ceil(bits / 8);
  return [...u16(o.tag ?? 1), ...u16(channels), ...u32(rate), ...u32(rate * blockAlign), ...u16(blockAlign), ...u16(bits)];
}
function riff(...chunks: number[][]): Uint8Array<ArrayBuffer> {
  const body = [...ascii('WAVE'), ...chunks.flat()];
  return new Uint8Array([...ascii('RIFF'), ...u32(body.length), ...body]);
}
/** A small valid 16-bit mono file with `frames` frames. */
function simpleWav(frames = 10, fmt: number[] = fmtBody()): Uint8Array<ArrayBuffer> {
  return riff(chunk('fmt ', fmt), chunk('data', new Array(frames * 2).fill(0)));
}

function catchWav(fn: () => unknown): WavError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WavError) return e;
    throw new Error(`expected a WavError, got ${String(e)}`);
  }
  throw new Error('expected a WavError, but nothing was thrown');
}

function expectWavError(fn: () => unknown, code: WavErrorCode, message: string): WavError {
  const err = catchWav(fn);
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('WavError');
  expect(err.code).toBe(code);
  expect(err.message).toBe(message);
  return err;
}

// ---------------------------------------------------------------------------

describe('decodeWav on fixtures from independent writers', () => {
  it('has the fixtures listed in the manifest', () => {
    const onDisk = readdirSync(FIXTURES).filter((f) => f.endsWith('.wav')).sort();
    expect(manifest.fixtures.map((f) => f.file).sort()).toEqual(onDisk);
    expect(onDisk.length).toBeGreaterThanOrEqual(14);
  });

  for (const fx of manifest.fixtures) {
    it(`${fx.file} (${fx.writer})`, () => {
      const out = decodeWav(fixture(fx.file), { name: fx.file });
      expect(out.sampleRate).toBe(fx.sampleRate);
      expect(out.format).toBe(fx.format);
      expect(out.length).toBe(fx.length);
      expect(out.channels.length).toBe(fx.channels);
      out.channels.forEach((ch, c) => {
        expect(ch).toBeInstanceOf(Float32Array);
        const bad = firstMismatch(ch, fx.expected[c]!);
        expect(bad, `${fx.file} channel ${c} differs at sample ${bad}: ${ch[bad]} vs ${fx.expected[c]![bad]}`).toBe(-1);
      });
    });
  }

  it('covers the scaling extremes exactly', () => {
    const p8 = decodeWav(fixture('pcm8_mono_11025.wav')).channels[0]!;
    expect([p8[1], p8[2]]).toEqual([-1, 127 / 128]);
    const p16 = decodeWav(fixture('pcm16_mono_8000.wav')).channels[0]!;
    expect([p16[1], p16[2], p16[4]]).toEqual([-1, 32767 / 32768, -1 / 32768]);
    const p24 = decodeWav(fixture('pcm24_stereo_96000.wav')).channels[0]!;
    expect([p24[1], p24[2]]).toEqual([-1, (2 ** 23 - 1) / 2 ** 23]);
    const p32 = decodeWav(fixture('pcm32_mono_22050.wav')).channels[0]!;
    expect(p32[1]).toBe(-1);
    expect(p32[2]).toBe(Math.fround((2 ** 31 - 1) / 2 ** 31)); // rounds to 1 in float32, as in soundfile
    const f32 = decodeWav(fixture('float32_stereo_16000.wav')).channels[0]!;
    expect([f32[1], f32[2], f32[3]]).toEqual([1.5, -2, Math.fround(1e-40)]);
  });

  it('gives the same result for ArrayBuffer input and for unaligned views', () => {
    for (const fx of manifest.fixtures) {
      const bytes = fixture(fx.file);
      const ref = decodeWav(bytes);
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      expect(decodeWav(ab)).toEqual(ref);
      for (const shift of [1, 2, 3]) {
        const big = new Uint8Array(bytes.length + shift);
        big.set(bytes, shift);
        expect(decodeWav(big.subarray(shift))).toEqual(ref);
      }
    }
  });
});

describe('mono downmix', () => {
  it('averages stereo channels', () => {
    const fx = entry('pcm16_stereo_44100.wav');
    const out = decodeWav(fixture(fx.file), { mono: true });
    expect(out.channels.length).toBe(1);
    expect(out.length).toBe(fx.length);
    const want = fx.expected[0]!.map((l, i) => (l + fx.expected[1]![i]!) / 2);
    expect(firstMismatch(out.channels[0]!, want)).toBe(-1);
  });

  it('averages three channels (extensible)', () => {
    const fx = entry('ext_pcm16_3ch_32000.wav');
    const out = decodeWav(fixture(fx.file), { mono: true });
    expect(out.channels.length).toBe(1);
    const [a, b, c] = fx.expected as [number[], number[], number[]];
    const want = a.map((x, i) => (x + b[i]! + c[i]!) / 3);
    expect(firstMismatch(out.channels[0]!, want)).toBe(-1);
  });

  it('averages float stereo, and leaves mono files unchanged', () => {
    const fx = entry('float32_stereo_16000.wav');
    const out = decodeWav(fixture(fx.file), { mono: true });
    const want = fx.expected[0]!.map((l, i) => (l + fx.expected[1]![i]!) / 2);
    expect(firstMismatch(out.channels[0]!, want)).toBe(-1);
    const m = fixture('pcm16_mono_8000.wav');
    expect(decodeWav(m, { mono: true })).toEqual(decodeWav(m));
  });

  it('returns one empty channel for an empty multichannel file', () => {
    const bytes = riff(chunk('fmt ', fmtBody({ channels: 2 })), chunk('data', []));
    const out = decodeWav(bytes, { mono: true });
    expect(out.length).toBe(0);
    expect(out.channels).toEqual([new Float32Array(0)]);
    expect(decodeWav(bytes).channels.length).toBe(2);
  });
});

describe('encodeWav round trips', () => {
  function noise(n: number, seed: number, scale = 1): Float32Array {
    let s = seed >>> 0;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = (s / 2 ** 32 * 2 - 1) * scale;
    }
    return out;
  }

  it('pcm16: error <= 1/32768, header is the canonical 44 bytes', () => {
    const l = noise(5000, 1);
    const r = noise(5000, 2, 0.01);
    l.set([1, -1, 0, 0.5 / 32768, -0.5 / 32768, 32767.5 / 32768, -32768.5 / 32768, 1e-9, -1e-9], 0);
    const bytes = encodeWav([l, r], 22050);
    expect(bytes.length).toBe(44 + 5000 * 4);
    const dv = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4), ...bytes.subarray(8, 16), ...bytes.subarray(36, 40))).toBe('RIFFWAVEfmt data');
    expect([dv.getUint32(4, true), dv.getUint32(16, true), dv.getUint16(20, true), dv.getUint16(22, true)]).toEqual([
      bytes.length - 8,
      16,
      1,
      2,
    ]);
    expect([dv.getUint32(24, true), dv.getUint32(28, true), dv.getUint16(32, true), dv.getUint16(34, true)]).toEqual([
      22050,
      22050 * 4,
      4,
      16,
    ]);
    expect(dv.getUint32(40, true)).toBe(5000 * 4);
    const out = decodeWav(bytes);
    expect(out).toMatchObject({ sampleRate: 22050, format: 'pcm16', length: 5000 });
    for (const [c, src] of [l, r].entries()) {
      let worst = 0;
      for (let i = 0; i < src.length; i++) worst = Math.max(worst, Math.abs(out.channels[c]![i]! - src[i]!));
      expect(worst).toBeLessThanOrEqual(1 / 32768);
    }
  });

  it('pcm16: round(x*32768) half away from zero, clipped to int16', () => {
    const x = new Float32Array([0, 1, -1, 2, -3, 0.25, 0.5 / 32768, -0.5 / 32768, 0.49 / 32768, 1.5 / 32768, 32766.7 / 32768]);
    const bytes = encodeWav(x, 8000);
    const ints = Array.from(new Int16Array(bytes.buffer.slice(44)));
    expect(ints).toEqual([0, 32767, -32768, 32767, -32768, 8192, 1, -1, 0, 2, 32767]);
  });

  it('float32: bit-exact, values beyond [-1, 1] kept, scipy layout (fmt 18 + fact)', () => {
    const a = noise(3001, 3, 4);
    a.set([0, -0, 1e-45, -1e-40, 3.4e38, -1, 1], 0);
    const b = noise(3001, 4);
    const bytes = encodeWav([a, b], 48000, { format: 'float32' });
    const dv = new DataView(bytes.buffer);
    expect(dv.getUint32(16, true)).toBe(18);
    expect(dv.getUint16(20, true)).toBe(3);
    expect(String.fromCharCode(...bytes.subarray(38, 42))).toBe('fact');
    expect(dv.getUint32(46, true)).toBe(3001);
    expect(String.fromCharCode(...bytes.subarray(50, 54))).toBe('data');
    const out = decodeWav(bytes);
    expect(out).toMatchObject({ sampleRate: 48000, format: 'float32', length: 3001 });
    expect(Array.from(new Uint32Array(out.channels[0]!.buffer))).toEqual(Array.from(new Uint32Array(a.buffer)));
    expect(Array.from(new Uint32Array(out.channels[1]!.buffer))).toEqual(Array.from(new Uint32Array(b.buffer)));
  });

  it('accepts a single Float32Array as mono and empty input', () => {
    const x = new Float32Array([0.1, -0.2, 0.3]);
    const out = decodeWav(encodeWav(x, 16000, { format: 'float32' }));
    expect(out.channels).toEqual([x]);
    const empty = decodeWav(encodeWav(new Float32Array(0), 8000));
    expect(empty).toEqual({ sampleRate: 8000, channels: [new Float32Array(0)], format: 'pcm16', length: 0 });
  });

  it('re-encodes every fixture as float32 losslessly (for float32 and <=24-bit sources)', () => {
    for (const fx of manifest.fixtures) {
      if (fx.format === 'pcm32' || fx.format === 'float64') continue;
      const a = decodeWav(fixture(fx.file));
      const b = decodeWav(encodeWav(a.channels, a.sampleRate, { format: 'float32' }));
      expect(b.channels).toEqual(a.channels);
    }
  });
});

describe('leniency', () => {
  const full = fixture('pcm16_mono_8000.wav'); // 44-byte header, 160 frames
  const fx = entry('pcm16_mono_8000.wav');

  it('decodes the frames present in a truncated data chunk (default), errors with strict', () => {
    const cut = full.subarray(0, 44 + 101); // 50.5 frames
    const out = decodeWav(cut, { name: 'cut.wav' });
    expect(out.length).toBe(50);
    expect(firstMismatch(out.channels[0]!, fx.expected[0]!.slice(0, 50))).toBe(-1);
    expectWavError(
      () => decodeWav(cut, { name: 'cut.wav', strict: true }),
      'TRUNCATED',
      "cut.wav: truncated 'data' chunk (header says 320 bytes, 101 present)",
    );
  });

  it('reads to the end for a streaming placeholder size 0xFFFFFFFF', () => {
    const b = full.slice();
    new DataView(b.buffer).setUint32(40, 0xffffffff, true);
    new DataView(b.buffer).setUint32(4, 0xffffffff, true);
    const out = decodeWav(b);
    expect(out.length).toBe(160);
    expect(firstMismatch(out.channels[0]!, fx.expected[0]!)).toBe(-1);
  });

  it('ignores a wrong RIFF size and trailing junk', () => {
    const b = new Uint8Array(full.length + 5);
    b.set(full);
    b.set([1, 2, 3, 4, 5], full.length);
    new DataView(b.buffer).setUint32(4, 12, true);
    expect(decodeWav(b).length).toBe(160);
  });

  it('drops a trailing partial frame (strict: BAD_FORMAT)', () => {
    const fx8 = entry('pcm8_stereo_22050_odd_data.wav');
    const bytes = fixture(fx8.file);
    expect(decodeWav(bytes).length).toBe(fx8.length);
    expectWavError(
      () => decodeWav(bytes, { name: 'odd.wav', strict: true }),
      'BAD_FORMAT',
      "odd.wav: 'data' chunk size 65 is not a whole number of 2-byte frames",
    );
  });

  it('tolerates a missing pad byte after an odd-sized chunk', () => {
    const junk = [...ascii('junk'), ...u32(3), 1, 2, 3]; // no pad byte
    const bytes = riff(chunk('fmt ', fmtBody()), junk, chunk('data', [0, 0x40, 0, 0xc0]));
    expect(Array.from(decodeWav(bytes).channels[0]!)).toEqual([0.5, -0.5]);
  });

  it('uses the first fmt and data chunks, and ignores byte rate', () => {
    const fmt = fmtBody({ rate: 16000 });
    fmt.splice(8, 4, ...u32(12345)); // wrong nAvgBytesPerSec
    const bytes = riff(
      chunk('fmt ', fmt),
      chunk('data', [0, 0x40]),
      chunk('fmt ', fmtBody({ rate: 8000, channels: 2 })),
      chunk('data', [0, 0, 0, 0]),
    );
    const out = decodeWav(bytes);
    expect(out).toMatchObject({ sampleRate: 16000, length: 1 });
    expect(out.channels).toEqual([new Float32Array([0.5])]);
  });
});

describe('errors (code and message)', () => {
  it('NOT_WAV', () => {
    expectWavError(
      () => decodeWav(new TextEncoder().encode('hello, this is not audio'), { name: 'foo.wav' }),
      'NOT_WAV',
      'foo.wav: not a WAV file (no RIFF/WAVE header)',
    );
    expectWavError(() => decodeWav(new Uint8Array(0), { name: 'e.wav' }), 'NOT_WAV', 'e.wav: not a WAV file (the file is empty)');
    const avi = riff(chunk('LIST', [1, 2]));
    avi.set(ascii('AVI '), 8);
    expectWavError(() => decodeWav(avi, { name: 'x.avi' }), 'NOT_WAV', "x.avi: not a WAV file (RIFF form type is 'AVI ', not 'WAVE')");
    expectWavError(
      () => decodeWav(new Uint8Array([...ascii('fLaC'), 0, 0, 0, 34, 1, 2, 3, 4, 5, 6]), { name: 'a.flac' }),
      'NOT_WAV',
      'a.flac: not a WAV file (no RIFF/WAVE header; it looks like FLAC)',
    );
  });

  it('TRUNCATED', () => {
    expectWavError(
      () => decodeWav(new Uint8Array(ascii('RIFF\x10\x00')), { name: 'foo.wav' }),
      'TRUNCATED',
      'foo.wav: truncated RIFF header (12 bytes needed, 6 present)',
    );
    const full = simpleWav();
    expectWavError(
      () => decodeWav(full.subarray(0, 30), { name: 'foo.wav' }),
      'TRUNCATED',
      "foo.wav: truncated 'fmt ' chunk (header says 16 bytes, 10 present)",
    );
    expectWavError(
      () => decodeWav(full.subarray(0, 39), { name: 'foo.wav' }),
      'TRUNCATED',
      'foo.wav: truncated chunk header at byte 36 (8 bytes needed, 3 present)',
    );
    const list = riff(chunk('fmt ', fmtBody()), chunk('LIST', new Array(100).fill(0)), chunk('data', [0, 0]));
    expectWavError(
      () => decodeWav(list.subarray(0, 80), { name: 'foo.wav' }),
      'TRUNCATED',
      "foo.wav: truncated 'LIST' chunk (header says 100 bytes, 36 present)",
    );
    const big = simpleWav(20000);
    expectWavError(
      () => decodeWav(big.subarray(0, 44 + 1200), { name: 'foo.wav', strict: true }),
      'TRUNCATED',
      "foo.wav: truncated 'data' chunk (header says 40000 bytes, 1200 present)",
    );
  });

  it('UNSUPPORTED_FORMAT', () => {
    expectWavError(
      () => decodeWav(simpleWav(4, fmtBody({ tag: 0x55 })), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported WAV codec 0x0055 (MPEG Layer 3); only PCM and IEEE float are supported',
    );
    expectWavError(
      () => decodeWav(simpleWav(4, fmtBody({ tag: 0x1234 })), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported WAV codec 0x1234; only PCM and IEEE float are supported',
    );
    expectWavError(
      () => decodeWav(simpleWav(4, fmtBody({ bits: 40 })), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported PCM sample size of 40 bits (8, 16, 24 and 32 are supported)',
    );
    expectWavError(
      () => decodeWav(simpleWav(4, fmtBody({ tag: 3, bits: 16 })), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported IEEE float sample size of 16 bits (32 and 64 are supported)',
    );
    const rifx = simpleWav();
    rifx.set(ascii('RIFX'), 0);
    expectWavError(() => decodeWav(rifx, { name: 'be.wav' }), 'UNSUPPORTED_FORMAT', 'be.wav: big-endian RIFX WAV files are not supported');
    // Extensible with an A-law sub-format, and with a non-KSDATAFORMAT GUID.
    const ext = [...fmtBody({ tag: 0xfffe, bits: 8 }), ...u16(22), ...u16(8), ...u32(4), ...u16(6), 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    expectWavError(
      () => decodeWav(simpleWav(4, ext), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported WAV codec 0x0006 (A-law) in WAVE_FORMAT_EXTENSIBLE; only PCM and IEEE float are supported',
    );
    ext[ext.length - 1] = 0x72;
    expectWavError(
      () => decodeWav(simpleWav(4, ext), { name: 'foo.wav' }),
      'UNSUPPORTED_FORMAT',
      'foo.wav: unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID 0600000000001000800000aa00389b72; only PCM and IEEE float are supported',
    );
  });

  it('BAD_FORMAT', () => {
    const bad = (fmt: number[], message: string): void => {
      expectWavError(() => decodeWav(simpleWav(4, fmt), { name: 'foo.wav' }), 'BAD_FORMAT', message);
    };
    bad(fmtBody({ channels: 0, blockAlign: 2 }), 'foo.wav: zero channels');
    bad(fmtBody({ channels: 65 }), 'foo.wav: implausible channel count 65 (at most 64 supported)');
    bad(fmtBody({ rate: 0 }), 'foo.wav: implausible sample rate 0 Hz (must be between 1 and 1000000)');
    bad(fmtBody({ rate: 1_000_001 }), 'foo.wav: implausible sample rate 1000001 Hz (must be between 1 and 1000000)');
    bad(fmtBody({ channels: 2, blockAlign: 3 }), 'foo.wav: inconsistent block align 3 (expected 4 = 2 channels x 2 bytes)');
    bad(fmtBody({ bits: 0, blockAlign: 2 }), 'foo.wav: zero bits per sample');
    bad(fmtBody().slice(0, 14), "foo.wav: 'fmt ' chunk is too short (14 bytes; at least 16 needed)");
    bad(fmtBody({ tag: 0xfffe }), "foo.wav: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short (16 bytes; at least 40 needed)");
    expectWavError(
      () => decodeWav(riff(chunk('data', [0, 0])), { name: 'foo.wav' }),
      'BAD_FORMAT',
      "foo.wav: no 'fmt ' chunk found",
    );
    const nan = riff(chunk('fmt ', fmtBody({ tag: 3, bits: 32, channels: 2 })), chunk('data', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x7f]));
    expectWavError(
      () => decodeWav(nan, { name: 'foo.wav' }),
      'BAD_FORMAT',
      'foo.wav: float sample data contains NaN or infinity (channel 1, frame 1)',
    );
    // A finite float64 beyond the float32 range would become Infinity.
    const f64 = new Uint8Array(new Float64Array([1e300]).buffer);
    expectWavError(
      () => decodeWav(riff(chunk('fmt ', fmtBody({ tag: 3, bits: 64 })), chunk('data', f64)), { name: 'foo.wav' }),
      'BAD_FORMAT',
      'foo.wav: float sample data contains NaN or infinity (channel 0, frame 0)',
    );
  });

  it('NO_DATA', () => {
    expectWavError(
      () => decodeWav(riff(chunk('fmt ', fmtBody()), chunk('LIST', [1, 2, 3])), { name: 'foo.wav' }),
      'NO_DATA',
      "foo.wav: no 'data' chunk found",
    );
  });

  it('TOO_LARGE', () => {
    expectWavError(
      () => decodeWav(simpleWav(160), { name: 'foo.wav', maxSamples: 100 }),
      'TOO_LARGE',
      'foo.wav: audio too long (160 samples per channel; the limit is 100)',
    );
    expect(decodeWav(simpleWav(100), { maxSamples: 100 }).length).toBe(100);
  });

  it('INVALID_ARGUMENT', () => {
    expectWavError(
      () => decodeWav('RIFF' as unknown as Uint8Array, { name: 'foo.wav' }),
      'INVALID_ARGUMENT',
      'foo.wav: decodeWav expects a Uint8Array or an ArrayBuffer',
    );
    expectWavError(
      () => decodeWav(simpleWav(), { name: 'foo.wav', maxSamples: -1 }),
      'INVALID_ARGUMENT',
      'foo.wav: maxSamples must be a non-negative integer (got -1)',
    );
    const detached = simpleWav().buffer;
    structuredClone(detached, { transfer: [detached] });
    expectWavError(
      () => decodeWav(detached, { name: 'foo.wav' }),
      'INVALID_ARGUMENT',
      'foo.wav: cannot read the bytes (the ArrayBuffer is detached)',
    );
    expect(decodeWav(simpleWav(7), { maxSamples: Infinity }).length).toBe(7);
    const a = new Float32Array(3);
    expectWavError(() => encodeWav([], 8000), 'INVALID_ARGUMENT', 'cannot encode zero channels');
    expectWavError(
      () => encodeWav([a, new Float32Array(4)], 8000),
      'INVALID_ARGUMENT',
      'channels have different lengths (channel 0 has 3 samples, channel 1 has 4)',
    );
    expectWavError(() => encodeWav(a, 0), 'INVALID_ARGUMENT', 'sample rate must be an integer from 1 to 1000000 Hz (got 0)');
    expectWavError(() => encodeWav(a, 44100.5), 'INVALID_ARGUMENT', 'sample rate must be an integer from 1 to 1000000 Hz (got 44100.5)');
    expectWavError(
      () => encodeWav(new Float32Array([0, NaN]), 8000),
      'INVALID_ARGUMENT',
      'channel 0 sample 1 is NaN; only finite samples can be encoded',
    );
    expectWavError(
      () => encodeWav([a, new Float32Array([0, 0, -Infinity])], 8000, { format: 'float32' }),
      'INVALID_ARGUMENT',
      'channel 1 sample 2 is -Infinity; only finite samples can be encoded',
    );
    expectWavError(
      () => encodeWav(a, 8000, { format: 'pcm24' as 'pcm16' }),
      'INVALID_ARGUMENT',
      `unknown encode format "pcm24" (use 'pcm16' or 'float32')`,
    );
    expectWavError(() => encodeWav([a, [0, 1] as unknown as Float32Array], 8000), 'INVALID_ARGUMENT', 'channel 1 is not a Float32Array');
  });

  it('omits the file prefix when no name is given, and exposes .file', () => {
    const e1 = expectWavError(() => decodeWav(new Uint8Array(20)), 'NOT_WAV', 'not a WAV file (no RIFF/WAVE header)');
    expect(e1.file).toBeUndefined();
    const e2 = catchWav(() => decodeWav(new Uint8Array(20), { name: 'dir/a b.wav' }));
    expect(e2.file).toBe('dir/a b.wav');
    expect(e2.message.startsWith('dir/a b.wav: ')).toBe(true);
  });
});

describe('FSDD (real recordings)', () => {
  it(
    `decodes all 3,000 files in ${FSDD_DIR}`,
    () => {
      expect(existsSync(FSDD_DIR), `FSDD not found at ${FSDD_DIR}; set FSDD_DIR`).toBe(true);
      const files = readdirSync(FSDD_DIR).filter((f) => f.endsWith('.wav'));
      expect(files.length).toBe(3000);
      let total = 0;
      for (const f of files) {
        const full = path.join(FSDD_DIR, f);
        const bytes = readFileSync(full);
        const out = decodeWav(bytes, { name: f });
        expect(out.sampleRate, f).toBe(8000);
        expect(out.format, f).toBe('pcm16');
        expect(out.channels.length, f).toBe(1);
        // Every FSDD file is canonical: a 44-byte header ('fmt ' of 16 bytes, then 'data').
        expect(out.length * 2 + 44, f).toBe(statSync(full).size);
        total += out.length;
      }
      // 0.14 s .. 2.28 s at 8 kHz; ~10.5 M samples in all.
      expect(total).toBeGreaterThan(9_000_000);
      expect(total).toBeLessThan(12_000_000);
    },
    60_000,
  );

  it('matches the raw int16 samples of a file', () => {
    const f = path.join(FSDD_DIR, '7_jackson_32.wav');
    if (!existsSync(f)) return; // covered by the test above
    const bytes = readFileSync(f);
    const raw = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = decodeWav(bytes).channels[0]!;
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(raw.getInt16(44 + 2 * i, true) / 32768);
  });
});
