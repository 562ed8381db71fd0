// Errors the CLI reports to a person: one clear line, and an exit code.
//
// Anything thrown inside a command that is not a CliError is a bug or an
// unexpected system failure; the top level (see cli.ts) turns both into
// `specvae: <message>` on stderr and a non-zero exit, with the stack only
// under --debug.

/** Exit codes, following the usual conventions of Unix command-line tools. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed (bad data, failed download, checksum mismatch, ...). */
  FAILURE: 1,
  /** Bad usage: unknown option, missing or conflicting arguments, invalid values. */
  USAGE: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** Exit code (default ExitCode.FAILURE). */
  exitCode?: number;
  /** Short machine-readable reason, included in --json output (e.g. 'CHECKSUM_MISMATCH'). */
  code?: string;
  /** Structured details for --json output (lists of files, sizes, ...). */
  details?: Record<string, unknown>;
  /** The underlying error, shown with --debug. */
  cause?: unknown;
}

/**
 * An error meant for the user. `message` is ONE line, without the `specvae:`
 * prefix and without a trailing period, that says what went wrong and, when
 * it helps, what to do (e.g. `download stalled: no data for 30 s from <url>; check the network and run the command again`).
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(oneLine(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? ExitCode.FAILURE;
    this.code = options.code ?? 'FAILED';
    this.details = options.details;
  }
}

/** A usage error (exit code 2): bad or conflicting flags and arguments. */
export class UsageError extends CliError {
  constructor(message: string, options: Omit<CliErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.USAGE, code: options.code ?? 'USAGE' });
    this.name = 'UsageError';
  }
}

/** Thrown when the user interrupts a command (Ctrl-C); exit code 130. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted') {
    super(message, { exitCode: ExitCode.INTERRUPTED, code: 'INTERRUPTED' });
    this.name = 'InterruptedError';
  }
}

/** Collapses whitespace and newlines so the message stays one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, '; ').replace(/\s+/g, ' ').trim();
}

/** The message of any thrown value, as one line. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return oneLine(e.message || e.name);
  return oneLine(String(e));
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder, expected a file',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
};

/** The readable reason of a Node system error (ENOSPC -> 'no space left on the device'), or undefined. */
export function systemReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? SYSTEM_MESSAGES[code] : undefined;
}

/**
 * Converts a Node system error (ENOENT, ENOSPC, ...) into a CliError with a
 * readable line: `<what> <path>: <reason>`. Other errors are returned as they are.
 */
export function fromSystemError(e: unknown, what: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && typeof err.code === 'string' && err.code in SYSTEM_MESSAGES) {
    const where = err.path ? ` ${err.path}` : '';
    return new CliError(`${what}${where}: ${SYSTEM_MESSAGES[err.code]}`, { code: err.code, cause: e });
  }
  return e;
}

/** What the top level prints for an error (one line, or the stack under --debug). */
export function describeError(e: unknown, debug: boolean): { line: string; exitCode: number; stack?: string } {
  const exitCode = e instanceof CliError ? e.exitCode : ExitCode.FAILURE;
  const converted = e instanceof CliError ? e : fromSystemError(e, 'cannot access');
  let line: string;
  if (converted instanceof CliError) line = converted.message;
  else line = `unexpected error: ${errorMessage(e)}${debug ? '' : ' (run with --debug for details)'}`;
  const result: { line: string; exitCode: number; stack?: string } = { line, exitCode };
  if (debug) {
    const parts: string[] = [];
    let cur: unknown = e;
    for (let depth = 0; cur !== undefined && depth < 5; depth++) {
      parts.push(cur instanceof Error ? (cur.stack ?? String(cur)) : String(cur));
      cur = cur instanceof Error ? cur.cause : undefined;
      if (cur !== undefined) parts.push('caused by:');
    }
    result.stack = parts.join('\n');
  }
  return result;
}
