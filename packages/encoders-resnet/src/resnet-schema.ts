import { z } from '@clipkit/core';

/** open_clip's head_width: the attention pool has width x 32 / 64 heads by default. */
const HEAD_WIDTH = 64;

/** The `model.vision` section for `type: "resnet"`: OpenAI CLIP's ModifiedResNet. */
export const resnetSchema = z
  .strictObject({
    type: z.literal('resnet'),
    imageSize: z.int().min(32).max(4096).default(224).describe('Input side in pixels (square); must be a multiple of 32. Default 224.'),
    layers: z
      .tuple([z.int().min(1).max(64), z.int().min(1).max(64), z.int().min(1).max(64), z.int().min(1).max(64)])
      .default([3, 4, 6, 3])
      .describe('Bottleneck blocks in each of the 4 stages. Default [3, 4, 6, 3] (RN50).'),
    width: z.int().min(2).max(1024).default(64).describe('Stem width; stage i has width x 2^i bottleneck channels and 4x that many outputs. Default 64.'),
    heads: z.int().min(1).max(4096).optional().describe('Heads of the attention pool over width x 32 features; must divide width x 32. Default width x 32 / 64.'),
  })
  .superRefine((v, ctx) => {
    if (v.imageSize % 32 !== 0) ctx.addIssue({ code: 'custom', path: ['imageSize'], message: 'must be a multiple of 32 (the ResNet downsamples 32x)', input: v.imageSize });
    const heads = v.heads ?? defaultHeads(v.width);
    const poolWidth = v.width * 32;
    if (poolWidth % heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide the attention pool width (width x 32 = ${poolWidth})`, input: heads });
  })
  .transform((v) => ({ ...v, heads: v.heads ?? defaultHeads(v.width) }));

function defaultHeads(width: number): number {
  return Math.max(1, Math.floor((width * 32) / HEAD_WIDTH));
}

/** A validated ModifiedResNet section, every default filled. */
export type ResNetConfig = z.output<typeof resnetSchema>;
