import { z } from '@clipkit/core';

/** SiglipVisionConfig's head width: its defaults have 12 heads of 64 over 768 channels. */
const HEAD_WIDTH = 64;

/** The activations SigLIP's MLPs may use: gelu_tanh is transformers' gelu_pytorch_tanh, every SigLIP checkpoint's. */
export const siglipActivation = z
  .enum(['gelu_tanh', 'gelu', 'quick_gelu'])
  .default('gelu_tanh')
  .describe(
    'MLP activation: "gelu_tanh" x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (transformers\' gelu_pytorch_tanh, SigLIP\'s), "gelu" (exact erf) or "quick_gelu". Default "gelu_tanh".',
  );

/**
 * The `model.vision` section for `type: "siglip"`: transformers' SiglipVisionTransformer with its attention
 * pooling head. Defaults are SiglipVisionConfig's (google/siglip-base-patch16-224); the embedding is the
 * head's output, so model.embedDim must equal `width`.
 */
export const siglipVisionSchema = z
  .strictObject({
    type: z.literal('siglip'),
    imageSize: z.int().min(1).max(4096).default(224).describe('Input side in pixels (square). Default 224.'),
    patchSize: z
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe('Patch side in pixels, at most imageSize; the last imageSize mod patchSize rows and columns are not seen (a "valid" convolution). Default 16.'),
    width: z.int().min(1).max(16384).default(768).describe('Transformer width, also the embedding width (model.embedDim). Default 768.'),
    layers: z.int().min(1).max(512).default(12).describe('Encoder layers. Default 12.'),
    heads: z
      .int()
      .min(1)
      .max(1024)
      .optional()
      .describe('Attention heads of the encoder and the pooling head; must divide width. Default width / 64 (12 at width 768), at least 1.'),
    mlpWidth: z.int().min(1).max(65536).optional().describe('Hidden width of each MLP. Default 4 x width (3072 at width 768).'),
    layerNormEps: z.number().gt(0).max(0.1).default(1e-6).describe('LayerNorm epsilon. Default 1e-6.'),
    activation: siglipActivation,
  })
  .superRefine((v, ctx) => {
    if (v.patchSize > v.imageSize) ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `must be at most imageSize (${v.imageSize})`, input: v.patchSize });
    const heads = v.heads ?? defaultHeads(v.width);
    if (v.width % heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide width (${v.width})`, input: heads });
  })
  .transform((v) => ({ ...v, heads: v.heads ?? defaultHeads(v.width), mlpWidth: v.mlpWidth ?? 4 * v.width }));

/** The default head count of a width: width / 64, at least 1. */
export function defaultHeads(width: number): number {
  return Math.max(1, Math.floor(width / HEAD_WIDTH));
}

/** A validated SigLIP vision section, every default filled. */
export type SiglipVisionConfig = z.output<typeof siglipVisionSchema>;
