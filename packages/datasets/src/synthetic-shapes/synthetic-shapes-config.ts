import { z } from '@clipkit/core';

/**
 * `data.type: "synthetic-shapes"`: images of shapes in colours, positions and sizes with their captions,
 * generated on the fly: an endless training stream (drawn from `train.seed`) and a zero-shot task on
 * (shape, colour) combinations that training never shows.
 */
export const syntheticShapesSchema = z.strictObject({
  type: z.literal('synthetic-shapes'),
  imageSize: z
    .int()
    .min(16)
    .max(1024)
    .default(32)
    .describe('Image side in pixels, 16 to 1024 (smaller cannot tell the shapes apart); must equal model.vision.imageSize. Default 32.'),
  seed: z
    .int()
    .min(0)
    .max(0xffffffff)
    .default(0)
    .describe('Seed of the held-out evaluation images (training images follow train.seed, so runs with different train seeds are scored on the same images). Default 0.'),
  evalSize: z.int().min(1).max(1_000_000).default(1000).describe('Images in the zero-shot evaluation, all of held-out combinations, classes in turn. Default 1000.'),
});

export type SyntheticShapesDataConfig = z.output<typeof syntheticShapesSchema>;
