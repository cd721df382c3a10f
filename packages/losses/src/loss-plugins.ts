import { type ContrastiveLoss, definePlugin, LOSS, z } from '@clipkit/core';
import { ClipLoss } from './clip-loss.js';
import { SigLipLoss } from './siglip-loss.js';

const clipLossSchema = z.strictObject({ type: z.literal('clip') });

/** `loss.type: "clip"`: no settings; the logit scale is the model's (model.logitScale, train.maxLogitScale). */
export type ClipLossConfig = z.output<typeof clipLossSchema>;

const sigLipLossSchema = z.strictObject({
  type: z.literal('siglip'),
  chunkSize: z
    .int()
    .min(1)
    .max(1 << 20)
    .nullable()
    .default(null)
    .describe('Rows of the B x B logit matrix computed at a time, so memory grows with chunkSize x B; null computes it whole. Default null.'),
});

/** `loss.type: "siglip"`; the scale and bias are the model's (model.logitScale, model.logitBias). */
export type SigLipLossConfig = z.output<typeof sigLipLossSchema>;

/** `loss.type: "clip"` (the default): CLIP's softmax loss. */
export const clipLossPlugin = definePlugin<ContrastiveLoss, ClipLossConfig>({
  slot: LOSS,
  type: 'clip',
  schema: clipLossSchema,
  create: () => new ClipLoss(),
});

/** `loss.type: "siglip"`: SigLIP's sigmoid loss, optionally chunked. */
export const sigLipLossPlugin = definePlugin<ContrastiveLoss, SigLipLossConfig>({
  slot: LOSS,
  type: 'siglip',
  schema: sigLipLossSchema,
  create: (section) => new SigLipLoss({ chunkSize: section.chunkSize }),
});

/** This package's plug-ins, what `"plugins": ["@clipkit/losses"]` loads. */
export const plugins = [clipLossPlugin, sigLipLossPlugin];
