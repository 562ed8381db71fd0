// What every command gets: the output channel, the global flags, and an
// AbortSignal that fires on Ctrl-C.
import type { Command } from 'commander';
import { Output } from './output.js';

export interface GlobalOptions {
  json: boolean;
  debug: boolean;
  quiet: boolean;
}

export interface CommandContext {
  out: Output;
  globals: GlobalOptions;
  /** Aborted on the first Ctrl-C (SIGINT); commands should stop cleanly and throw InterruptedError. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** Shared, mutable state of one CLI invocation (the top level reads `out` to report errors). */
export interface Invocation {
  out: Output;
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv };
  controller: AbortController;
}

export type ActionHandler<O> = (options: O, context: CommandContext, args: string[], command: Command) => Promise<void>;

/** A module under src/commands/: adds one subcommand to the program. */
export interface CommandModule {
  name: string;
  register(program: Command, invocation: Invocation): Command;
}

/**
 * Wraps a command's handler for commander: reads the global flags (wherever
 * they appear on the command line), creates the Output, and passes the context.
 */
export function action<O>(invocation: Invocation, handler: ActionHandler<O>) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const all = command.optsWithGlobals<Record<string, unknown>>();
    const globals: GlobalOptions = { json: all['json'] === true, debug: all['debug'] === true, quiet: all['quiet'] === true };
    invocation.out = new Output({ ...globals, streams: invocation.streams });
    const ctx: CommandContext = { out: invocation.out, globals, signal: invocation.controller.signal, env: invocation.streams.env };
    await handler(command.opts() as O, ctx, command.args, command);
  };
}
