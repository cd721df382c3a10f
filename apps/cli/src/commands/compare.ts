import type { Command } from 'commander';
import type { CompareCommandOptions } from '../actions/compare.js';
import { positiveInteger } from './options.js';

/** `clipkit compare`: trains several configs on the same data and seed, side by side. */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('train several configs on the same data and seed, and write a side-by-side table and plot')
    .requiredOption('--configs <files...>', 'clipkit config files, e.g. configs/shapes-vit-clip.json configs/shapes-vit-siglip.json')
    .option('--out <dir>', 'folder for one run folder per config, compare.md and compare.svg', 'runs/compare')
    .option('--max-steps <n>', 'stop every run after n steps', positiveInteger)
    .action(async (options: CompareCommandOptions) => (await import('../actions/compare.js')).compare(options));
}
