// Every subcommand, in the order `specvae --help` lists them. A new command
// is a module exporting a CommandModule, added here.
import type { CommandModule } from '../context.js';
import { dataCommand } from './data.js';
import { infoCommand } from './info.js';

export const commands: readonly CommandModule[] = [dataCommand, infoCommand];
