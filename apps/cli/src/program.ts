import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The `clipkit` command and its subcommands (each registered from its own file in commands/). */
export function createProgram(): Command {
  const program = new Command('clipkit')
    .description('Train, evaluate and serve CLIP-style contrastive image-text models in Node.js')
    .version(version, '-v, --version')
    .showHelpAfterError('(run clipkit --help for usage)')
    .configureHelp({ sortSubcommands: true });
  for (const register of COMMANDS) register(program);
  return program;
}
