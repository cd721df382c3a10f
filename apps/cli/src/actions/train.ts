import { join } from 'node:path';
import { ClipkitError, RunLockedError, trainClip } from '@clipkit/core';
import { writeRunPlot } from '../training/run-report.js';
import { trainSetup } from '../training/train-config.js';
import { trainProgress } from '../training/train-progress.js';

export interface TrainCommandOptions {
  config?: string;
  out?: string;
  resume?: boolean;
  maxSteps?: number;
  data?: string;
}

/** runs/<name>-<UTC date and time>, so repeated runs never collide. */
function defaultRunDir(name: string): string {
  return join('runs', `${name}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`);
}

/** `clipkit train`: trains, draws training.svg (also after a failure), and prints the result. */
export async function train(options: TrainCommandOptions): Promise<void> {
  if (options.resume && !options.out) throw new ClipkitError('--resume needs --out DIR, the run folder to continue');
  const { config, plugins, name, init } = await trainSetup(options);
  const outDir = options.out ?? defaultRunDir(name);
  const run = trainClip(config, plugins, { outDir, resume: options.resume, maxSteps: options.maxSteps, onEvent: trainProgress(name), init });
  const result = await run.then(
    (done) => {
      writeRunPlot(outDir, name);
      return done;
    },
    (error) => {
      // The plot of a failed run helps to see why; a folder another run is training in is left to that run.
      if (!(error instanceof RunLockedError)) {
        try {
          writeRunPlot(outDir, name);
        } catch {
          // The run's own error is the one to report.
        }
      }
      throw error;
    },
  );
  const evaluation = result.evaluation?.zeroShot;
  const accuracy = evaluation
    ? `; zero-shot top-1 ${(evaluation.top1 * 100).toFixed(2)}%, top-5 ${(evaluation.top5 * 100).toFixed(2)}% on ${evaluation.count} held-out images`
    : '';
  console.error(`${name}: ${result.stepsDone} steps, final loss ${result.finalLoss.toFixed(4)}, ${result.samplesPerSecond.toFixed(1)} samples/s${accuracy}`);
  console.error(`model: ${result.checkpointDir}  metrics: ${result.metricsFile}  plot: ${join(outDir, 'training.svg')}`);
  if (result.exportDir) console.error(`exported (${config.train.exportLayout} layout): ${result.exportDir}`);
}
