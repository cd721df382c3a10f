import { z } from 'zod';
import type { TrainConfig } from './clip-config.js';

const positive = () => z.int().min(1);
/** Step counts: a billion steps is years of training; beyond it a count is a typo, not a plan. */
const MAX_STEPS = 1_000_000_000;
/** OpenAI trained CLIP with batches of 32,768; twice that is the most one process is given (issue 16: 1e12 crashed). */
const MAX_BATCH = 65_536;

const imageLockSchema = z.strictObject({
  unlockedGroups: z
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe("The last this many layer groups of the image tower stay trainable (open_clip's --lock-image-unlocked-groups). Default 0."),
  freezeBatchNormStats: z
    .boolean()
    .default(false)
    .describe('BatchNorm layers of the locked groups use and keep their running statistics (--lock-image-freeze-bn-stats). Default false.'),
});

const textLockSchema = z.strictObject({
  unlockedLayers: z
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe("The last this many layer groups of the text tower stay trainable (open_clip's --lock-text-unlocked-layers). Default 0."),
});

/** The `train` section (documented on TrainConfig; the descriptions are what editors show from the JSON Schema). */
export const trainSchema: z.ZodType<TrainConfig> = z
  .strictObject({
    batchSize: positive().max(MAX_BATCH).default(64).describe('Samples per optimiser step (split into accumulationSteps micro-batches). Default 64.'),
    steps: positive().max(MAX_STEPS).nullable().default(null).describe('Optimiser steps; null: epochs x steps per epoch. Default null.'),
    epochs: positive().max(1_000_000).default(1).describe('Passes over the data when steps is null. Default 1.'),
    lr: z.number().gt(0).max(10).default(5e-4).describe('Peak learning rate. Default 5e-4.'),
    schedule: z.enum(['cosine', 'constant']).default('cosine').describe('Learning-rate schedule: cosine decay after linear warmup, or constant after warmup. Default "cosine".'),
    warmupSteps: z.int().min(0).max(MAX_STEPS).default(100).describe('Linear warmup steps. Default 100.'),
    weightDecay: z.number().min(0).max(10).default(0.2).describe('AdamW decoupled weight decay, applied to parameters with 2 or more dimensions. Default 0.2.'),
    beta1: z.number().min(0).max(0.999999).default(0.9).describe('AdamW beta1. Default 0.9.'),
    beta2: z.number().min(0).max(0.999999).default(0.98).describe('AdamW beta2. Default 0.98.'),
    eps: z.number().gt(0).max(1).default(1e-6).describe('AdamW epsilon. Default 1e-6.'),
    gradClipNorm: z.number().gt(0).nullable().default(null).describe('Clip gradients to this global norm; null: no clipping. Default null.'),
    maxLogitScale: z
      .number()
      .min(0)
      .max(20)
      .default(Math.log(100))
      .describe("The log logit scale is clamped to [0, maxLogitScale] after every step (open_clip's train loop). Default ln(100)."),
    accumulationSteps: positive().max(MAX_BATCH).default(1).describe('Micro-batches per optimiser step; must divide batchSize. Default 1.'),
    seed: z.int().min(0).max(0xffffffff).default(0).describe('Seed of initialisation and data order, 0 to 2^32 - 1 (the generator takes 32 bits). Default 0.'),
    logEvery: positive().max(MAX_STEPS).default(20).describe('Log every this many steps. Default 20.'),
    evalEvery: positive().max(MAX_STEPS).nullable().default(null).describe('Evaluate every this many steps; null: only at the end. Default null.'),
    checkpointEvery: positive().max(MAX_STEPS).nullable().default(null).describe('Save a checkpoint every this many steps; null: only at the end. Default null.'),
    init: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'A model to start from: a model folder, a checkpoint file or a hub name; its model section, tokenizer, preprocessing and logit scale/bias apply unless this config sets them. null: random initialisation. Default null.',
      ),
    reinit: z
      .enum(['image', 'text'])
      .nullable()
      .default(null)
      .describe('Re-initialise this tower from `seed` instead of taking it from `init` (LiT trains a new text tower). Default null.'),
    lock: z
      .strictObject({
        image: imageLockSchema.nullable().default(null).describe("Keep the image tower fixed (open_clip's --lock-image); null: it trains. Default null."),
        text: textLockSchema.nullable().default(null).describe("Keep the text tower fixed (open_clip's --lock-text); null: it trains. Default null."),
      })
      .prefault({})
      .describe('Towers to keep fixed: locked parameters get no gradient, no optimiser state and no backward pass. Default: none.'),
    exportLayout: z.enum(['huggingface', 'open_clip']).nullable().default(null).describe('Also write the final model in this layout to <run>/<layout>/. Default null.'),
  })
  .superRefine((v, ctx) => {
    if (v.batchSize % v.accumulationSteps !== 0) {
      ctx.addIssue({ code: 'custom', path: ['accumulationSteps'], message: `must divide batchSize (${v.batchSize})`, input: v.accumulationSteps });
    }
    if (v.reinit !== null && v.init === null) {
      ctx.addIssue({ code: 'custom', path: ['reinit'], message: 're-initialises a tower of train.init, which is not set', input: v.reinit });
    }
    for (const tower of ['image', 'text'] as const) {
      if (v.lock[tower] === null) continue;
      if (v.init === null || v.reinit === tower) {
        ctx.addIssue({
          code: 'custom',
          path: ['lock', tower],
          message: `locks a randomly initialised ${tower} tower: set train.init${v.reinit === tower ? ' and do not reinit it' : ''}`,
          input: v.lock[tower],
        });
      }
    }
  })
  .prefault({});
