import type { TrainConfig } from '../config/clip-config.js';

/**
 * The learning rate before optimiser step `step` (0-based) of `totalSteps`, as open_clip's schedulers:
 * linear warmup lr * (step + 1) / warmup, then cosine decay 0.5 * (1 + cos(pi * e / es)) * lr with
 * e = step - warmup and es = totalSteps - warmup ("cosine"), or the peak held ("constant").
 */
export function learningRate(step: number, totalSteps: number, train: Pick<TrainConfig, 'lr' | 'warmupSteps' | 'schedule'>): number {
  const { lr, warmupSteps, schedule } = train;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (schedule === 'constant') return lr;
  const decaySteps = totalSteps - warmupSteps;
  return decaySteps <= 0 ? lr : 0.5 * (1 + Math.cos((Math.PI * (step - warmupSteps)) / decaySteps)) * lr;
}
