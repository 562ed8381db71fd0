#!/usr/bin/env node
// The `specvae` executable.
import { main } from './cli.js';
import { describeError } from './errors.js';

const debug = process.argv.includes('--debug');

// `specvae info --json | head -1`: a closed pipe is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

// Errors that escape a command (a stray stream or timer): still one line, no stack unless --debug.
const crash = (e: unknown): void => {
  const { line, stack } = describeError(e, debug);
  if (stack) process.stderr.write(`${stack}\n`);
  process.stderr.write(`specvae: ${line}\n`);
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const code = await main(process.argv);
// Wait until stdout/stderr are flushed (pipes may be asynchronous), then
// exit explicitly: worker threads of the WebAssembly backends must not keep
// the process alive after the command is done.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => {
  if (s.writableLength === 0) resolve();
  else s.write('', () => resolve());
})));
process.exit(code);
