import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** What the help says of errors (main.ts implements it). */
const EXIT_CODES = `
Exit codes:
  0      done
  1      bad input, files or environment (a bad config, a missing file, a full
         disk): one line on stderr, "clipkit: <what is wrong, what to do>"
  2      a usage error (an unknown command or option, a missing argument)
  other  a bug (printed with its stack trace), or a signal`;

/** The `clipkit` command and its subcommands (each registered from its own file in commands/). */
export function createProgram(): Command {
  const program = new Command('clipkit')
    .description('Train, evaluate and serve CLIP-style contrastive image-text models in Node.js')
    .version(version, '-v, --version')
    .showHelpAfterError('(run clipkit --help for usage)')
    .configureHelp({ sortSubcommands: true })
    // Usage errors throw a CommanderError (main.ts gives them exit code 2) rather than exit with 1 at once;
    // subcommands registered below inherit this.
    .exitOverride()
    .addHelpText('after', EXIT_CODES);
  for (const register of COMMANDS) register(program);
  return program;
}
