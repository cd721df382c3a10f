import type { Command } from 'commander';
import type { IndexOptions } from '../actions/index-images.js';
import { backendOption, batchSizeOption, dbOption, modelOption } from './options.js';

/** `clipkit index`: embeds a folder of images into an image index, incrementally. */
export function registerIndexCommand(program: Command): void {
  program
    .command('index')
    .description('index the images of a folder (recursively) for `clipkit search` and `serve`; a re-run embeds only new or changed files and drops deleted ones')
    .argument('<dir>', 'the folder of images (.png, .jpg, .jpeg, .webp)')
    .addOption(modelOption())
    .addOption(dbOption())
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .action(async (dir: string, options: IndexOptions) => (await import('../actions/index-images.js')).indexFolder(dir, options));
}
