// Where the CLI writes what.
//
// - Results go to stdout: a human-readable text, or with --json exactly one
//   JSON document (so `specvae info --json | jq` always works).
// - Progress, notes and warnings go to stderr, never to stdout.
// - Colour only when stderr/stdout is a terminal and NO_COLOR is not set
//   (https://no-color.org); FORCE_COLOR=1 forces it on, FORCE_COLOR=0 off.
// - --quiet drops notes and progress (warnings and errors still print).

export interface OutputStreams {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  streams?: Partial<OutputStreams>;
}

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof ANSI;

function isTTY(s: NodeJS.WritableStream): boolean {
  return (s as NodeJS.WriteStream).isTTY === true;
}

/** Colour decision for one stream, from the environment and whether it is a terminal. */
export function colorEnabled(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY(stream);
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debugEnabled: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** stderr is an interactive terminal: progress bars may redraw in place. */
  readonly interactive: boolean;
  private readonly colorOut: boolean;
  private readonly colorErr: boolean;
  private resultWritten = false;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.debugEnabled = options.debug ?? false;
    this.stdout = options.streams?.stdout ?? process.stdout;
    this.stderr = options.streams?.stderr ?? process.stderr;
    this.env = options.streams?.env ?? process.env;
    this.interactive = isTTY(this.stderr) && this.env['TERM'] !== 'dumb' && this.env['CI'] !== 'true';
    this.colorOut = !this.json && colorEnabled(this.stdout, this.env);
    this.colorErr = colorEnabled(this.stderr, this.env);
  }

  /** Styles text for stderr (no-op without colour). */
  style(text: string, ...styles: Style[]): string {
    return this.colorErr ? applyStyles(text, styles) : text;
  }

  /** Styles text for stdout (no-op without colour or with --json). */
  styleOut(text: string, ...styles: Style[]): string {
    return this.colorOut ? applyStyles(text, styles) : text;
  }

  /** A progress note on stderr (dropped with --quiet). */
  note(message: string): void {
    if (!this.quiet) this.stderr.write(`${message}\n`);
  }

  /** A warning on stderr (always shown). */
  warn(message: string): void {
    this.stderr.write(`${this.style('specvae: warning:', 'yellow')} ${message}\n`);
  }

  /** A debug line on stderr (only with --debug). */
  debug(message: string): void {
    if (this.debugEnabled) this.stderr.write(`${this.style(`debug: ${message}`, 'dim')}\n`);
  }

  /** The error line: `specvae: <message>` on stderr. */
  error(message: string): void {
    this.stderr.write(`${this.style('specvae:', 'red', 'bold')} ${message}\n`);
  }

  /**
   * The command's result: `value` as JSON on stdout with --json, else the
   * human text (a string or lines) on stdout. Call once per command.
   */
  result(human: string | string[] | (() => string | string[]), value: unknown): void {
    this.resultWritten = true;
    if (this.json) {
      this.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
      return;
    }
    const text = typeof human === 'function' ? human() : human;
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length) this.stdout.write(`${lines.join('\n')}\n`);
  }

  /** With --json, an error as one JSON document on stdout (unless a result was already written). */
  jsonError(error: { message: string; code: string; exitCode: number; details?: Record<string, unknown> }): void {
    if (!this.json || this.resultWritten) return;
    this.resultWritten = true;
    this.stdout.write(`${JSON.stringify({ error }, jsonReplacer, 2)}\n`);
  }

  /** Waits until everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    await Promise.all([this.stdout, this.stderr].map((s) => new Promise<void>((resolve) => {
      if ((s as NodeJS.WriteStream).writableLength === 0) resolve();
      else s.write('', () => resolve());
    })));
  }
}

function applyStyles(text: string, styles: Style[]): string {
  let out = text;
  for (const s of styles) out = `\u001b[${ANSI[s][0]}m${out}\u001b[${ANSI[s][1]}m`;
  return out;
}

/** JSON.stringify replacer: typed arrays as plain arrays, bigint as string, Errors as messages. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

/** 1234567 -> '1.2 MB' (SI units, as download sizes are usually shown). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

/** Seconds as '0.84 s', '12 s', '3 min 05 s', '1 h 02 min'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
