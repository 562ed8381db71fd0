// The `specvae` program: global flags, the subcommands of src/commands/, and
// the one place where errors become `specvae: <message>` and an exit code.
import { Command, CommanderError, Option } from 'commander';
import { commands } from './commands/index.js';
import type { Invocation } from './context.js';
import { CliError, ExitCode, describeError } from './errors.js';
import { Output } from './output.js';
import { VERSION } from './version.js';

export interface MainOptions {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Install a SIGINT handler that aborts the running command (default true). */
  handleSignals?: boolean;
}

/** Builds the commander program for one invocation. */
export function createProgram(invocation: Invocation): Command {
  const program = new Command('specvae');
  const { stdout, stderr } = invocation.streams;
  program
    .description('Spectrogram VAEs for spoken digits: get the data, train, reconstruct, generate, plot.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .addOption(new Option('--json', 'machine-readable output: one JSON document on stdout'))
    .addOption(new Option('-q, --quiet', 'no progress or notes on stderr (warnings and errors still print)'))
    .addOption(new Option('--debug', 'show stack traces and debug notes'))
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
      outputError: (s, write) => write(`specvae: ${s.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`),
    })
    .addHelpText('after', `
Global options (--json, --quiet, --debug) work before or after the command name.
Progress goes to stderr; results (or JSON with --json) to stdout. NO_COLOR disables colour.

Examples:
  $ specvae info
  $ specvae data                       # download FSDD v1.0.10 into ~/.cache/specvae and verify it
  $ specvae data --data ../shared/fsdd # verify a local copy instead
  $ specvae info --json | jq .node`);
  for (const module of commands) {
    const sub = module.register(program, invocation);
    sub.exitOverride().configureOutput(program.configureOutput()).showSuggestionAfterError(true);
  }
  return program;
}

/** Runs the CLI on `argv` (like process.argv) and returns the exit code. */
export async function main(argv: readonly string[] = process.argv, options: MainOptions = {}): Promise<number> {
  const streams = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env: options.env ?? process.env,
  };
  const debugFlag = argv.includes('--debug');
  const invocation: Invocation = {
    out: new Output({ debug: debugFlag, json: argv.includes('--json'), streams }),
    streams,
    controller: new AbortController(),
  };
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      invocation.out.stderr.write('\nspecvae: stopping (press Ctrl-C again to quit at once)\n');
      invocation.controller.abort();
    } else {
      process.exit(ExitCode.INTERRUPTED);
    }
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) process.on('SIGINT', onSigint);
  try {
    const program = createProgram(invocation);
    await program.parseAsync([...argv]);
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.OK;
      // `specvae help <command>` ends with exit code 0; a missing command shows the help with 1
      if (e.code === 'commander.help' && e.exitCode === 0) return ExitCode.OK;
      // commander has printed its message (or the help, for a missing command)
      return ExitCode.USAGE;
    }
    const out = invocation.out;
    const { line, exitCode, stack } = describeError(e, out.debugEnabled || debugFlag);
    if (stack) out.stderr.write(`${stack}\n`);
    out.error(line);
    out.jsonError({
      message: line,
      code: e instanceof CliError ? e.code : 'UNEXPECTED',
      exitCode,
      ...(e instanceof CliError && e.details ? { details: e.details } : {}),
    });
    return exitCode;
  } finally {
    if (handleSignals) process.off('SIGINT', onSigint);
  }
}
