import type { Command } from 'commander';
import type { SearchCommandOptions } from '../actions/search.js';
import { backendOption, dbOption, positiveInteger } from './options.js';

/** `clipkit search`: the indexed images that best match a text or an image. */
export function registerSearchCommand(program: Command): void {
  program
    .command('search')
    .description('search an image index by text or by image: prints the best matches with their cosine similarity')
    .argument('[text]', 'what the images should show, e.g. "a red circle"')
    .option('--image <file>', 'search with an image instead of a text')
    .addOption(dbOption())
    .option('-k, --top <n>', 'results to show', positiveInteger, 10)
    .option('--json', 'print JSON: { query, root, results: [{ rank, file, path, id, score, probability, width, height, size }] }')
    .option('--exact', 'scan every row even when the index has an approximate (IVF-PQ) index')
    .option('--model <ref>', 'the model to embed the query with (default: the one the index was built with)')
    .addOption(backendOption())
    .action(async (text: string | undefined, options: SearchCommandOptions) => (await import('../actions/search.js')).search(text, options));
}
