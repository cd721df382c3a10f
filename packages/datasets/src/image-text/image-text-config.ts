import { z } from '@clipkit/core';
import { augmentSchema } from '../common/augment-schema.js';

/** `data.type: "image-text"`: a folder of images with a CSV/TSV or JSONL file of (image path, caption), as open_clip's CSV datasets. */
export const imageTextSchema = z.strictObject({
  type: z.literal('image-text'),
  path: z.string().min(1).describe('Folder holding the images, relative to the config file; image paths are relative to it and may not leave it. Required.'),
  file: z.string().min(1).describe('The CSV/TSV or JSONL file of (image path, caption), relative to `path` or absolute. Required.'),
  imageKey: z.string().min(1).default('filepath').describe('Column or key of the image path (open_clip\'s --csv-img-key). Default "filepath".'),
  captionKey: z.string().min(1).default('title').describe('Column or key of the caption (open_clip\'s --csv-caption-key). Default "title".'),
  separator: z.string().min(1).default('\t').describe('Column separator of CSV files (open_clip\'s --csv-separator). Default "\\t".'),
  evalFile: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('A second file of the same form for the retrieval evaluation, relative to `path` or absolute; null: no retrieval evaluation. Default null.'),
  augment: augmentSchema,
});

export type ImageTextDataConfig = z.output<typeof imageTextSchema>;
