import { z } from '@clipkit/core';
import { augmentSchema } from '../common/augment-schema.js';

/**
 * `data.type: "image-folder"`: labelled images as torchvision's ImageFolder lays them out, DIR/<class>/<image>
 * (class folders sorted by name give the labels; a `classnames.txt` in DIR names them, one line per folder in that
 * order). Training captions are prompt templates filled with the class name, as the zero-shot prompts are.
 */
export const imageFolderSchema = z.strictObject({
  type: z.literal('image-folder'),
  path: z.string().min(1).describe('The training folder, DIR/<class>/<image>, relative to the config file. Required.'),
  evalPath: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('A folder of the same form for the zero-shot evaluation, relative to `path` or absolute; null: no evaluation. Default null.'),
  templates: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .nullable()
    .default(null)
    .describe("Prompt templates with {} for the class name: a file (one per line, relative to `path` or absolute) or a list; null: OpenAI's 80 ImageNet templates. Default null."),
  augment: augmentSchema,
});

export type ImageFolderDataConfig = z.output<typeof imageFolderSchema>;
