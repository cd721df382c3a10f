import { type Command, Option } from 'commander';
import type { ZeroShotOptions } from '../actions/zero-shot.js';
import { backendOption, batchSizeOption, modelOption, topOption } from './options.js';
import { DEFAULT_TEMPLATE, TEMPLATE_PRESETS } from './zero-shot-templates.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `clipkit zero-shot`: classify images among free-text labels. */
export function registerZeroShotCommand(program: Command): void {
  program
    .command('zero-shot')
    .description('classify images among free-text labels: prints the top labels of each image with their probabilities')
    .argument('<images...>', 'image files, or folders searched recursively')
    .addOption(modelOption())
    .requiredOption('--labels <names>', 'comma-separated class names, e.g. "cat,dog,car"')
    .option('--template <prompt>', `a prompt with {} for the class name (repeatable; default "${DEFAULT_TEMPLATE}")`, collect, [])
    .addOption(new Option('--templates <preset>', "a set of prompts: openai = OpenAI's 80 ImageNet templates").choices(TEMPLATE_PRESETS))
    .addOption(topOption())
    .option('--json', 'print JSON: [{ image, predictions: [{ label, probability }] }]')
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .action(async (images: string[], options: ZeroShotOptions) => (await import('../actions/zero-shot.js')).zeroShot(images, options));
}
