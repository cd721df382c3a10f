import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ProbeOptions } from '../actions/probe.js';
import { backendOption, batchSizeOption, modelOption, positiveInteger } from './options.js';

function fraction(value: string): number {
  const f = Number(value);
  if (!(f > 0 && f < 1)) throw new InvalidArgumentError('must be a number between 0 and 1');
  return f;
}

/** `clipkit probe`: a linear probe of a model's image features on labelled folders. */
export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description("linear probe (the CLIP paper's): logistic regression on the model's frozen image features, its L2 strength chosen on a validation split")
    .addOption(modelOption())
    .requiredOption('--train <dir>', 'training images, DIR/<class>/<image>')
    .requiredOption('--test <dir>', 'test images, the same class folders')
    .addOption(new Option('--val-fraction <f>', 'share of the training images held out to choose the L2 strength').argParser(fraction).default(0.2))
    .addOption(new Option('--max-iterations <n>', 'L-BFGS iterations per fit').argParser(positiveInteger).default(1000))
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .option('--features <file>', 'also write the features and labels to this safetensors file (train_features, train_labels, test_features, test_labels)')
    .option('--json', 'print the result as JSON (the C sweep included)')
    .action(async (options: ProbeOptions) => (await import('../actions/probe.js')).probe(options));
}
