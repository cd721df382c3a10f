import type { Command } from 'commander';
import type { ZeroShotOptions } from '../actions/zero-shot.js';
import { backendOption, batchSizeOption, collect, modelOption, templatesOption, topOption } from './options.js';

/** `clipkit zero-shot`: classify images among free-text labels. */
export function registerZeroShotCommand(program: Command): void {
  program
    .command('zero-shot')
    .description('classify images among free-text labels: prints the top labels of each image with their probabilities')
    .argument('<images...>', 'image files, or folders searched recursively')
    .addOption(modelOption())
    .option('--labels <names>', 'comma-separated class names, e.g. "cat,dog,car" (default: the classes the model was trained on, when it records them)')
    .option('--template <prompt>', 'a prompt with {} for the class name (repeatable)', collect, [])
    .addOption(templatesOption())
    .addOption(topOption())
    .option('--json', 'print JSON: [{ image, predictions: [{ label, probability }] }]')
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .action(async (images: string[], options: ZeroShotOptions) => (await import('../actions/zero-shot.js')).zeroShot(images, options));
}
