import type { Command } from 'commander';
import type { TrainCommandOptions } from '../actions/train.js';
import { positiveInteger } from './options.js';

/** `clipkit train`: trains from a config into a run folder. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a CLIP model (without --config: a small ViT on generated shapes, nothing to download)')
    .option('--config <file>', 'clipkit config JSON (see configs/); default: the built-in shapes-vit-clip')
    .option('--out <dir>', 'run folder for checkpoint/, metrics.jsonl and training.svg (default: runs/<config>-<time>)')
    .option('--resume', 'continue the run in --out from its last checkpoint, exactly as if it had not stopped')
    .option('--max-steps <n>', 'stop after n steps in all (the learning-rate schedule still spans the configured length)', positiveInteger)
    .option('--data <dir>', 'data folder for fashion-mnist and image-text configs (sets data.path)')
    .action(async (options: TrainCommandOptions) => (await import('../actions/train.js')).train(options));
}
