// Every subcommand, in the order `specvae --help` lists them. A new command
// is a module exporting a CommandModule, added here.
import type { CommandModule } from '../context.js';
import { benchCommand } from './bench.js';
import { dataCommand } from './data.js';
import { evaluateCommand } from './evaluate.js';
import { generateCommand } from './generate.js';
import { infoCommand } from './info.js';
import { interpolateCommand } from './interpolate.js';
import { latentCommand } from './latent.js';
import { reconstructCommand } from './reconstruct.js';
import { runCommand } from './run.js';
import { trainCommand } from './train.js';

export const commands: readonly CommandModule[] = [
  runCommand, dataCommand, trainCommand, reconstructCommand, generateCommand, interpolateCommand, latentCommand, evaluateCommand,
  benchCommand, infoCommand,
];
