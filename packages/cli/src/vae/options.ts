// Option parsers and option definitions shared by the model commands.
// A bad value is a usage error (exit 2) with one line from commander:
// `specvae: option '--epochs <n>' argument 'x' is invalid. expected an integer from 1 to 100000`.
import { InvalidArgumentError, Option, type Command } from 'commander';

export function intArg(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function numberArg(min: number, max: number, { exclusiveMin = false, exclusiveMax = false } = {}): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (exclusiveMax ? n >= max : n > max) || (exclusiveMin ? n <= min : n < min)) {
      const upper = Number.isFinite(max) ? ` ${exclusiveMax ? 'and below' : 'to'} ${max}` : '';
      throw new InvalidArgumentError(`expected a number ${exclusiveMin ? 'above' : 'from'} ${min}${upper}`);
    }
    return n;
  };
}

/** A digit 0-9. */
export const digitArg = intArg(0, 9);

/** `--data DIR` (or FSDD_DIR) and `--cache DIR`, as in `specvae data`. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data <dir>', 'folder of FSDD recordings (default: the copy `specvae data` downloaded, downloaded now if missing)').env('FSDD_DIR'))
    .addOption(new Option('--cache <dir>', 'cache folder for the download and the feature cache (default: $XDG_CACHE_HOME/specvae or ~/.cache/specvae)'))
    .addOption(new Option('--strict', 'stop at the first unusable recording instead of skipping it'));
}

/** `--run DIR`: the run folder (or model folder) a command reads its model from. */
export function runOption(cmd: Command): Command {
  return cmd.addOption(new Option('-r, --run <dir>', 'run folder from `specvae train` / `specvae run` (or a model folder)').makeOptionMandatory());
}

/** `--preset` on commands that read a model: only a check (the model knows its preset). */
export function presetCheckOption(cmd: Command): Command {
  return cmd.addOption(new Option('--preset <name>', 'fail unless the model was trained with this feature preset').choices(['default', 'original']));
}

export const threadsOption = (): Option => new Option('--threads <n>', 'compute threads (default: the number of cores, at most 8)').argParser(intArg(1, 64));

/** Where an option's value came from: 'cli', 'env', 'default', or undefined. */
export function fromUser(cmd: Command, name: string): boolean {
  const source = cmd.getOptionValueSource(name);
  return source === 'cli' || source === 'env';
}
