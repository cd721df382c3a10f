import { z } from '@clipkit/core';

/**
 * The `model.vision` section for `type: "mixer"`, declared with the `z` that @clipkit/core re-exports (this
 * package needs no zod of its own). Conventions of clipkit's sections: unknown keys are errors, every field
 * has a default and a description stating it, every number is bounded, rules between fields are refinements,
 * defaults derived from other fields come from the transform.
 */
export const mixerSchema = z
  .strictObject({
    type: z.literal('mixer'),
    imageSize: z.int().min(8).max(1024).default(32).describe('Input side in pixels (square). Default 32.'),
    patchSize: z.int().min(1).max(256).default(4).describe('Patch side in pixels; must divide imageSize. Default 4.'),
    width: z.int().min(1).max(8192).default(128).describe('Channels per token (C). Default 128.'),
    layers: z.int().min(1).max(256).default(4).describe('Mixer blocks. Default 4.'),
    tokenMlpWidth: z.int().min(1).max(65536).optional().describe("Hidden width of the token-mixing MLPs (D_S). Default width / 2, the paper's ratio."),
    channelMlpWidth: z.int().min(1).max(65536).optional().describe("Hidden width of the channel-mixing MLPs (D_C). Default 4 x width, the paper's ratio."),
  })
  .superRefine((v, ctx) => {
    if (v.imageSize % v.patchSize !== 0) ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `must divide imageSize (${v.imageSize})`, input: v.patchSize });
  })
  .transform((v) => ({ ...v, tokenMlpWidth: v.tokenMlpWidth ?? Math.max(1, Math.floor(v.width / 2)), channelMlpWidth: v.channelMlpWidth ?? 4 * v.width }));

/** @typedef {import('@clipkit/core').z.output<typeof mixerSchema>} MixerConfig A validated Mixer section, every default filled. */
