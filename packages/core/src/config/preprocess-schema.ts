import { z } from 'zod';
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from '../weights/preprocessor-config.js';

const rgb = (min: number) => z.tuple([z.number().min(min).max(1e4), z.number().min(min).max(1e4), z.number().min(min).max(1e4)]);

/**
 * The `preprocess` section (documented on PreprocessConfig). `size` is left out here when not given;
 * composeConfigSchema fills in model.vision.imageSize.
 */
export const preprocessSchema = z.strictObject({
  resizeMode: z
    .enum(['shortest', 'squash', 'none'])
    .default('shortest')
    .describe('"shortest": the shorter side becomes `size` (CLIP); "squash": the image becomes size x size (SigLIP); "none": no resize. Default "shortest".'),
  size: z
    .int()
    .min(1)
    .max(8192)
    .optional()
    .describe('Side in pixels the resize produces; then a centre crop (or zero padding) to model.vision.imageSize. Default model.vision.imageSize.'),
  mean: rgb(-1e4)
    .default([...OPENAI_CLIP_MEAN])
    .describe("Per-channel (R, G, B) mean of the pixels in [0, 1], subtracted. Default OpenAI CLIP's [0.48145466, 0.4578275, 0.40821073]."),
  std: rgb(1e-6)
    .default([...OPENAI_CLIP_STD])
    .describe("Per-channel standard deviation, divided by. Default OpenAI CLIP's [0.26862954, 0.26130258, 0.27577711]."),
});
