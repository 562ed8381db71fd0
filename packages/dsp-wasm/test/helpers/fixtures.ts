/**
 * Loader for the reference fixtures written by scripts/make_fixtures.py.
 *
 * Works in Node and in browsers: no `node:` imports. Give it the parsed JSON,
 * e.g.
 *
 *   import stftJson from '../fixtures/stft.json' with { type: 'json' };
 *   const stft = loadFixtureFile(stftJson);
 *
 * or, in a browser page, `loadFixtureFile(await (await fetch(url)).json())`.
 *
 * File format: `{ generator, cases: [{ name, params, arrays }] }`, each array
 * `{ dtype: 'float32' | 'float64', shape: number[], b64 }` where b64 holds
 * the little-endian bytes in row-major (C) order.
 *
 * Layout conventions:
 * - Complex arrays are two real arrays, `re` and `im` (or `<name>_re`,
 *   `<name>_im`).
 * - Spectrograms have shape [nBins, nFrames], bin-major like librosa's
 *   S[f, t]: element (f, t) is at flat index f * nFrames + t (see `at2`).
 * - Every expected output was computed in float64 from the stored inputs
 *   exactly as stored (float32 inputs were rounded before computing).
 *
 * Arrays are decoded lazily, once per case and key.
 */

export type FixtureDtype = 'float32' | 'float64';

/** One decoded array. `data` is a Float32Array or Float64Array per `dtype`. */
export interface FixtureArray {
  readonly dtype: FixtureDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** A complex spectrogram (or vector) in float64, with its shape ([nBins, nFrames] or [n]). */
export interface ComplexFixture {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly shape: readonly number[];
}

export type FixtureParams = Readonly<Record<string, unknown>>;

interface EncodedArray {
  readonly dtype: FixtureDtype;
  readonly shape: readonly number[];
  readonly b64: string;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(msg: string): never {
  throw new Error(`fixtures: ${msg}`);
}

/** Base64 to bytes, with `atob` (a global in browsers and Node >= 16). */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function parseEncoded(v: unknown, where: string): EncodedArray {
  if (!isRecord(v)) fail(`${where}: not an object`);
  const { dtype, shape, b64 } = v;
  if (dtype !== 'float32' && dtype !== 'float64') fail(`${where}: bad dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isInteger(d) && d >= 0)) {
    fail(`${where}: bad shape`);
  }
  if (typeof b64 !== 'string') fail(`${where}: b64 is not a string`);
  return { dtype, shape, b64 };
}

/** Decode one `{ dtype, shape, b64 }` object. */
export function decodeArray(encoded: unknown, where = 'array'): FixtureArray {
  const { dtype, shape, b64 } = parseEncoded(encoded, where);
  const bytes = base64ToBytes(b64);
  const width = dtype === 'float32' ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== count * width) {
    fail(`${where}: ${bytes.byteLength} bytes for shape [${shape.join(', ')}] of ${dtype}`);
  }
  let data: Float32Array | Float64Array;
  if (LITTLE_ENDIAN_HOST) {
    // bytes.buffer is fresh (offset 0), so it is aligned for either width.
    data = dtype === 'float32' ? new Float32Array(bytes.buffer, 0, count) : new Float64Array(bytes.buffer, 0, count);
  } else {
    const view = new DataView(bytes.buffer);
    if (dtype === 'float32') {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(4 * i, true);
      data = a;
    } else {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(8 * i, true);
      data = a;
    }
  }
  return { dtype, shape: Object.freeze([...shape]), data };
}

/** Element (row, col) of a 2-D array, e.g. (bin, frame) of a spectrogram. */
export function at2(arr: FixtureArray, row: number, col: number): number {
  const [rows, cols] = arr.shape;
  if (arr.shape.length !== 2 || rows === undefined || cols === undefined) fail('at2 needs a 2-D array');
  if (row < 0 || row >= rows || col < 0 || col >= cols) fail(`at2: (${row}, ${col}) outside [${rows}, ${cols}]`);
  return arr.data[row * cols + col] as number;
}

/** A float64 copy (or the array itself if it already is float64). */
export function toFloat64(arr: FixtureArray): Float64Array {
  return arr.data instanceof Float64Array ? arr.data : Float64Array.from(arr.data);
}

/** A float32 view/copy (rounds float64 data). */
export function toFloat32(arr: FixtureArray): Float32Array {
  return arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data);
}

export class FixtureCase {
  readonly name: string;
  readonly params: FixtureParams;
  readonly #encoded: Readonly<Record<string, unknown>>;
  readonly #decoded = new Map<string, FixtureArray>();

  constructor(name: string, params: FixtureParams, encodedArrays: Readonly<Record<string, unknown>>) {
    this.name = name;
    this.params = params;
    this.#encoded = encodedArrays;
  }

  /** Keys of the stored arrays. */
  keys(): string[] {
    return Object.keys(this.#encoded);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#encoded, key);
  }

  /** The decoded array `key` (throws if missing). */
  array(key: string): FixtureArray {
    const hit = this.#decoded.get(key);
    if (hit) return hit;
    if (!this.has(key)) fail(`case ${this.name}: no array '${key}' (has ${this.keys().join(', ')})`);
    const arr = decodeArray(this.#encoded[key], `${this.name}.${key}`);
    this.#decoded.set(key, arr);
    return arr;
  }

  shape(key: string): readonly number[] {
    return this.array(key).shape;
  }

  f64(key: string): Float64Array {
    return toFloat64(this.array(key));
  }

  f32(key: string): Float32Array {
    return toFloat32(this.array(key));
  }

  /** `re`/`im` (prefix '') or `<prefix>_re`/`<prefix>_im` as float64. */
  complex(prefix = ''): ComplexFixture {
    const reKey = prefix ? `${prefix}_re` : 're';
    const imKey = prefix ? `${prefix}_im` : 'im';
    const re = this.array(reKey);
    const im = this.array(imKey);
    if (re.shape.join() !== im.shape.join()) fail(`case ${this.name}: ${reKey} and ${imKey} shapes differ`);
    return { re: toFloat64(re), im: toFloat64(im), shape: re.shape };
  }

  hasParam(key: string): boolean {
    return Object.hasOwn(this.params, key);
  }

  param(key: string): unknown {
    if (!Object.hasOwn(this.params, key)) fail(`case ${this.name}: no param '${key}'`);
    return this.params[key];
  }

  num(key: string): number {
    const v = this.param(key);
    if (typeof v !== 'number') fail(`case ${this.name}: param '${key}' is not a number`);
    return v;
  }

  /** A number, or null for JSON null (e.g. `length`, `top_db`). */
  numOrNull(key: string): number | null {
    const v = this.param(key);
    if (v === null) return null;
    if (typeof v !== 'number') fail(`case ${this.name}: param '${key}' is not a number or null`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.param(key);
    if (typeof v !== 'boolean') fail(`case ${this.name}: param '${key}' is not a boolean`);
    return v;
  }

  str(key: string): string {
    const v = this.param(key);
    if (typeof v !== 'string') fail(`case ${this.name}: param '${key}' is not a string`);
    return v;
  }

  /** A nested object param (e.g. resample's `filter`). */
  obj(key: string): FixtureParams {
    const v = this.param(key);
    if (!isRecord(v)) fail(`case ${this.name}: param '${key}' is not an object`);
    return v;
  }
}

export class FixtureFile {
  readonly generator: string;
  readonly cases: readonly FixtureCase[];
  readonly #byName: Map<string, FixtureCase>;

  constructor(generator: string, cases: readonly FixtureCase[]) {
    this.generator = generator;
    this.cases = cases;
    this.#byName = new Map(cases.map((c) => [c.name, c]));
  }

  names(): string[] {
    return this.cases.map((c) => c.name);
  }

  /** The case called `name` (throws if missing). */
  get(name: string): FixtureCase {
    const c = this.#byName.get(name);
    if (!c) fail(`no case '${name}'`);
    return c;
  }

  /** Cases whose name starts with `prefix` (e.g. 'rfft/'). */
  withPrefix(prefix: string): FixtureCase[] {
    return this.cases.filter((c) => c.name.startsWith(prefix));
  }
}

/** Validate a parsed fixture JSON document and wrap it (arrays decode lazily). */
export function loadFixtureFile(json: unknown): FixtureFile {
  if (!isRecord(json)) fail('document is not an object');
  const { generator, cases } = json;
  if (typeof generator !== 'string') fail('missing generator');
  if (!Array.isArray(cases)) fail('missing cases');
  const out = cases.map((c: unknown, i) => {
    if (!isRecord(c)) fail(`case ${i} is not an object`);
    const { name, params, arrays } = c;
    if (typeof name !== 'string') fail(`case ${i}: missing name`);
    if (!isRecord(params)) fail(`case ${name}: params is not an object`);
    if (!isRecord(arrays)) fail(`case ${name}: arrays is not an object`);
    for (const [key, enc] of Object.entries(arrays)) parseEncoded(enc, `${name}.${key}`);
    return new FixtureCase(name, params, arrays);
  });
  return new FixtureFile(generator, out);
}
