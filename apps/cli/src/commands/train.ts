import { join } from 'node:path';
import { trainClip } from '@clipkit/core';
import { type Command, InvalidArgumentError } from 'commander';
import { CLIP_PLUGINS } from '../inference/clip-plugins.js';
import { writeRunPlot } from '../training/run-report.js';
import { trainProgress } from '../training/train-progress.js';
import { trainSetup } from '../training/train-config.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** runs/<name>-<UTC date and time>, so repeated runs never collide. */
function defaultRunDir(name: string): string {
  return join('runs', `${name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`);
}

interface TrainCommandOptions {
  config?: string;
  out?: string;
  resume?: boolean;
  maxSteps?: number;
  data?: string;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a CLIP model (without --config: a small ViT on generated shapes, nothing to download)')
    .option('--config <file>', 'clipkit config JSON (see configs/); default: the built-in shapes-vit-clip')
    .option('--out <dir>', 'run folder for checkpoint/, metrics.jsonl and training.svg (default: runs/<config>-<time>)')
    .option('--resume', 'continue the run in --out from its last checkpoint, exactly as if it had not stopped')
    .option('--max-steps <n>', 'stop after n steps in all (the learning-rate schedule still spans the configured length)', positiveInteger)
    .option('--data <dir>', 'data folder for fashion-mnist and image-text configs (sets data.path)')
    .action(async (options: TrainCommandOptions) => {
      if (options.resume && !options.out) throw new InvalidArgumentError('--resume needs --out DIR, the run folder to continue');
      const { config, name } = await trainSetup(options);
      const outDir = options.out ?? defaultRunDir(name);
      let result;
      try {
        result = await trainClip(config, CLIP_PLUGINS, { outDir, resume: options.resume, maxSteps: options.maxSteps, onEvent: trainProgress(name) });
      } finally {
        writeRunPlot(outDir, name);
      }
      const evaluation = result.evaluation?.zeroShot;
      const accuracy = evaluation
        ? `; zero-shot top-1 ${(evaluation.top1 * 100).toFixed(2)}%, top-5 ${(evaluation.top5 * 100).toFixed(2)}% on ${evaluation.count} held-out images`
        : '';
      console.error(`${name}: ${result.stepsDone} steps, final loss ${result.finalLoss.toFixed(4)}, ${result.samplesPerSecond.toFixed(1)} samples/s${accuracy}`);
      console.error(`model: ${result.checkpointDir}  metrics: ${result.metricsFile}  plot: ${join(outDir, 'training.svg')}`);
    });
}
