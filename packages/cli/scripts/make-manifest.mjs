#!/usr/bin/env node
// Writes the SHA-256 manifest of the FSDD recordings that `specvae data`
// verifies downloads and local folders against.
//
//   node scripts/make-manifest.mjs [--src ../../../shared/fsdd] [--out data/fsdd-v1.0.10.sha256.json]
//                                  [--tag v1.0.10] [--expect 3000]
//
// The source folder must hold exactly the recordings/ folder of the tagged
// release (our shared copy is v1.0.10's). Files are listed by name, sorted,
// with their size in bytes and SHA-256; other files in the folder (README.md)
// are ignored.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    src: { type: 'string', default: resolve(here, '../../../../shared/fsdd') },
    out: { type: 'string', default: resolve(here, '../data/fsdd-v1.0.10.sha256.json') },
    tag: { type: 'string', default: 'v1.0.10' },
    expect: { type: 'string', default: '3000' },
  },
});

const src = resolve(values.src);
const names = readdirSync(src).filter((n) => n.toLowerCase().endsWith('.wav')).sort();
const expected = Number(values.expect);
if (expected > 0 && names.length !== expected) {
  console.error(`make-manifest: expected ${expected} .wav files in ${src}, found ${names.length}`);
  process.exit(1);
}
const files = {};
let bytes = 0;
for (const name of names) {
  const path = join(src, name);
  if (!statSync(path).isFile()) continue;
  const data = readFileSync(path);
  files[name] = { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  bytes += data.length;
}
const manifest = {
  format: 'specvae-fsdd-manifest/1',
  dataset: 'Free Spoken Digit Dataset (FSDD)',
  repository: 'Jakobovski/free-spoken-digit-dataset',
  tag: values.tag,
  folder: 'recordings',
  license: 'CC BY-SA 4.0',
  count: Object.keys(files).length,
  bytes,
  files,
};
// One file per line: small, and diffs of a changed recording stay readable.
const { files: _files, ...head } = manifest;
const lines = Object.entries(files).map(([n, f]) => `    ${JSON.stringify(n)}: ${JSON.stringify(f)}`);
const text = `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "files": {\n${lines.join(',\n')}\n  }\n}\n`;
JSON.parse(text); // sanity
writeFileSync(values.out, text);
console.log(`make-manifest: ${manifest.count} files (${bytes} bytes) -> ${values.out}`);
