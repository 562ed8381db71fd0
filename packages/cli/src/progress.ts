// Progress reporting on stderr.
//
// On an interactive terminal: a cli-progress bar redrawn in place, with
// percentage, counts, rate and ETA, plus any extra fields (loss, KL, ...).
// Elsewhere (a pipe, a log file, CI): plain lines, one per step for step
// counters (epochs), at most one every few seconds for byte counters, so logs
// stay readable. Nothing at all with --quiet.
import cliProgress from 'cli-progress';
import { formatBytes, formatDuration, type Output } from './output.js';

export type ProgressUnit = 'items' | 'bytes';
export type ProgressPayload = Record<string, string | number>;

export interface ProgressOptions {
  /** What is progressing: 'download', 'verify', 'epoch', ... */
  label: string;
  /** Total, if known (a download without Content-Length has none). */
  total?: number;
  /** 'items' (default) or 'bytes' (shown as kB/MB, with a rate). */
  unit?: ProgressUnit;
  /** Name of an item in line output, e.g. 'epoch' gives 'epoch 3/10'. Default: the label. */
  itemName?: string;
  /**
   * Off a terminal, the shortest time between two lines in ms. Default 0
   * (a line per update) for items, 2000 for bytes.
   */
  lineIntervalMs?: number;
  /** Renders the payload as a suffix, e.g. `loss 0.123 | kl 4.5`. Default: `key value` pairs. */
  formatPayload?: (payload: ProgressPayload) => string;
}

export interface Progress {
  /** Sets the current value (and optionally the payload). */
  update(value: number, payload?: ProgressPayload): void;
  /** Adds to the current value. */
  increment(delta?: number, payload?: ProgressPayload): void;
  /** Sets or changes the total. */
  setTotal(total: number): void;
  /** Ends the display; the bar is left on screen, followed by `message` if given. */
  stop(message?: string): void;
  /** Prints a line of its own (above the bar on a terminal, which is then redrawn). */
  log(line: string): void;
  readonly value: number;
}

function defaultPayload(payload: ProgressPayload): string {
  return Object.entries(payload)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(' | ');
}

/** Compact number for progress lines: 4 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4);
}

interface State {
  value: number;
  total: number | undefined;
  payload: ProgressPayload;
  start: number;
}

function describe(state: State, opts: ProgressOptions, fmt: (p: ProgressPayload) => string, withLabel: boolean): string {
  const { value, total } = state;
  const bytes = opts.unit === 'bytes';
  const elapsed = (performance.now() - state.start) / 1000;
  const parts: string[] = [];
  if (bytes) {
    parts.push(total ? `${formatBytes(value)} / ${formatBytes(total)}` : formatBytes(value));
    if (elapsed > 0.5) parts.push(`${formatBytes(value / elapsed)}/s`);
  } else {
    parts.push(total ? `${withLabel ? `${opts.itemName ?? opts.label} ` : ''}${value}/${total}` : `${value}`);
  }
  if (total) {
    parts.push(`${Math.floor((100 * Math.min(value, total)) / total)}%`);
    if (value > 0 && value < total && elapsed > 1) parts.push(`ETA ${formatDuration((elapsed * (total - value)) / value)}`);
  }
  const extra = fmt(state.payload);
  if (extra) parts.push(extra);
  return parts.join(' | ');
}

/** Creates a progress display on `out.stderr` (a no-op with --quiet). */
export function createProgress(out: Output, options: ProgressOptions): Progress {
  const state: State = { value: 0, total: options.total, payload: {}, start: performance.now() };
  const fmt = options.formatPayload ?? defaultPayload;
  if (out.quiet) return plainProgress(state, () => undefined, () => undefined, () => undefined);
  if (out.interactive) return barProgress(out, options, state, fmt);
  const interval = options.lineIntervalMs ?? (options.unit === 'bytes' ? 2000 : 0);
  let last = -Infinity;
  let lastLine = '';
  const line = (force: boolean): void => {
    const now = performance.now();
    if (!force && (now - last < interval || state.value === 0)) return;
    const text = `${options.label}: ${describe(state, options, fmt, options.unit !== 'bytes' && options.itemName !== undefined)}`;
    if (text === lastLine) return;
    last = now;
    lastLine = text;
    out.stderr.write(`${text}\n`);
  };
  return plainProgress(state, () => line(false), (message) => {
    if (interval > 0) line(true);
    if (message) out.stderr.write(`${message}\n`);
  }, (text) => out.stderr.write(`${text}\n`));
}

function plainProgress(state: State, onChange: () => void, onStop: (message?: string) => void, onLog: (line: string) => void): Progress {
  let stopped = false;
  return {
    get value() { return state.value; },
    update(value, payload) {
      state.value = value;
      if (payload) state.payload = { ...state.payload, ...payload };
      if (!stopped) onChange();
    },
    increment(delta = 1, payload) { this.update(state.value + delta, payload); },
    setTotal(total) { state.total = total; },
    stop(message) {
      if (stopped) return;
      stopped = true;
      onStop(message);
    },
    log(text) { onLog(text); },
  };
}

function barProgress(out: Output, options: ProgressOptions, state: State, fmt: (p: ProgressPayload) => string): Progress {
  const bar = new cliProgress.SingleBar({
    stream: out.stderr as NodeJS.WriteStream,
    hideCursor: true,
    clearOnComplete: false,
    linewrap: false,
    fps: 8,
    etaBuffer: 30,
    barsize: 24,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    format: (opts, params) => {
      const total = state.total;
      const size = opts.barsize ?? 24;
      let barText = '';
      if (total) {
        const filled = Math.round(Math.min(1, params.progress) * size);
        barText = ` ${(opts.barCompleteString ?? '').slice(0, filled)}${(opts.barIncompleteString ?? '').slice(0, size - filled)}`;
      }
      return `${out.style(options.label, 'bold')}${barText} ${describe(state, options, fmt, false)}`;
    },
  });
  // cli-progress needs a positive total; an unknown total is drawn without a bar.
  bar.start(state.total ?? 1, 0);
  let stopped = false;
  return {
    get value() { return state.value; },
    update(value, payload) {
      state.value = value;
      if (payload) state.payload = { ...state.payload, ...payload };
      if (!stopped) bar.update(state.total ? value : 0);
    },
    increment(delta = 1, payload) { this.update(state.value + delta, payload); },
    setTotal(total) {
      state.total = total;
      if (!stopped) bar.setTotal(total);
    },
    stop(message) {
      if (stopped) return;
      stopped = true;
      bar.update(state.total ? state.value : 0);
      bar.stop();
      if (message) out.stderr.write(`${message}\n`);
    },
    log(text) {
      if (stopped) {
        out.stderr.write(`${text}\n`);
        return;
      }
      // Clear the bar's line, print the text, draw the bar again below it.
      out.stderr.write(`\r\u001b[2K${text}\n`);
      (bar as unknown as { render(force: boolean): void }).render(true);
    },
  };
}
