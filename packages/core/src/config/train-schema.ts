import { z } from 'zod';
import type { TrainConfig } from './clip-config.js';

const positive = () => z.int().min(1);

/** The `train` section (documented on TrainConfig). */
export const trainSchema: z.ZodType<TrainConfig> = z
  .strictObject({
    batchSize: positive().default(64),
    steps: positive().nullable().default(null),
    epochs: positive().default(1),
    lr: z.number().gt(0).max(10).default(5e-4),
    schedule: z.enum(['cosine', 'constant']).default('cosine'),
    warmupSteps: z.int().min(0).default(100),
    weightDecay: z.number().min(0).max(10).default(0.2),
    beta1: z.number().min(0).max(0.999999).default(0.9),
    beta2: z.number().min(0).max(0.999999).default(0.98),
    eps: z.number().gt(0).max(1).default(1e-6),
    gradClipNorm: z.number().gt(0).nullable().default(null),
    maxLogitScale: z.number().min(0).max(20).default(Math.log(100)),
    accumulationSteps: positive().default(1),
    seed: z.int().min(0).default(0),
    logEvery: positive().default(20),
    evalEvery: positive().nullable().default(null),
    checkpointEvery: positive().nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.batchSize % v.accumulationSteps !== 0) {
      ctx.addIssue({ code: 'custom', path: ['accumulationSteps'], message: `must divide batchSize (${v.batchSize})`, input: v.accumulationSteps });
    }
  })
  .prefault({});
