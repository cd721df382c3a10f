import type { Command } from 'commander';
import type { ServeOptions } from '../actions/serve.js';
import { backendOption, batchSizeOption, dbOption, portNumber } from './options.js';

/** `clipkit serve`: the search page and its JSON API over an image index. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve an image index: a search page (text, dropped or pasted images, "more like this") and its JSON API')
    .addOption(dbOption())
    .option('--model <ref>', 'the model that built the index (default: the one the index names)')
    .option('--host <address>', 'address to listen on; another than 127.0.0.1 lets other machines in', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, 8080)
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .action(async (options: ServeOptions) => (await import('../actions/serve.js')).serve(options));
}
