import { Argument, type Command, Option } from 'commander';
import type { DemoImagesOptions } from '../actions/demo-images.js';
import { positiveInteger } from './options.js';

/** `clipkit demo-images`: a folder of generated or Fashion-MNIST images to index and search. */
export function registerDemoImagesCommand(program: Command): void {
  program
    .command('demo-images')
    .description(
      'write demo images to search: "shapes" draws the scenes `clipkit train` learns from (NNNNN-colour-shape.png), "fashion-mnist" writes ' +
        'the 10,000 test images zero-padded to 32x32 as the recipe trains (NNNNN-class.png); captions.tsv holds each file and its caption',
    )
    .addArgument(new Argument('<kind>', 'shapes or fashion-mnist').choices(['shapes', 'fashion-mnist']))
    .requiredOption('--out <dir>', 'a new or empty folder (see --force); written in a staging folder beside it, then renamed into place')
    .option('--force', 'replace the contents of a non-empty --out')
    .option('--count <n>', 'images to write (default: 1000 shapes, every Fashion-MNIST test image)', positiveInteger)
    .addOption(new Option('--seed <n>', 'shapes: seed of the scenes (training draws from train.seed 0)').argParser(positiveInteger).default(1))
    .option('--data <dir>', 'fashion-mnist: the folder of its idx files', '/usr/share/datasets/fashion-mnist')
    .action(async (kind: 'shapes' | 'fashion-mnist', options: DemoImagesOptions) => (await import('../actions/demo-images.js')).demoImages(kind, options));
}
