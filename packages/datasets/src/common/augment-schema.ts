import { z } from '@clipkit/core';

const range = (low: number, high: number, max: number, what: string) =>
  z
    .tuple([z.number().gt(0).max(max), z.number().gt(0).max(max)])
    .default([low, high])
    .refine(([a, b]) => a <= b, { message: `the first ${what} must not exceed the second` });

/**
 * `data.augment`: open_clip's training transform (image_transform with is_train): torchvision's
 * RandomResizedCrop to the resize size of `preprocess`, then the rest of `preprocess` (the crop or padding to
 * the model's size and the normalisation). Evaluation images are not augmented.
 */
export const augmentSchema = z
  .strictObject({
    scale: range(0.9, 1, 1, 'scale').describe("Range of the crop's area as a fraction of the image (open_clip's AugmentationCfg.scale). Default [0.9, 1]."),
    ratio: range(3 / 4, 4 / 3, 100, 'ratio').describe("Range of the crop's aspect ratio, width / height (torchvision's default). Default [0.75, 1.3333]."),
  })
  .nullable()
  .default(null)
  .describe("open_clip's training augmentation (RandomResizedCrop, then the model's preprocessing), drawn from train.seed; null: none. Default null.");

export type AugmentConfig = NonNullable<z.output<typeof augmentSchema>>;
