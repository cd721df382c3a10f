import { z } from '@clipkit/core';
import { defaultHeads, siglipActivation } from './siglip-vision-schema.js';

/**
 * The `model.text` section for `type: "siglip"`: transformers' SiglipTextTransformer (no causal mask, the
 * last position pooled, a Linear head to model.embedDim). Defaults are SiglipTextConfig's.
 */
export const siglipTextSchema = z
  .strictObject({
    type: z.literal('siglip'),
    contextLength: z.int().min(1).max(4096).default(64).describe('Tokens per text, end token and padding included; the last one is pooled. Default 64.'),
    vocabSize: z.int().min(1).max(262144).default(32000).describe("Token vocabulary size. Default 32000 (SigLIP's SentencePiece)."),
    width: z.int().min(1).max(16384).default(768).describe('Transformer width. Default 768.'),
    layers: z.int().min(1).max(512).default(12).describe('Encoder layers. Default 12.'),
    heads: z.int().min(1).max(1024).optional().describe('Attention heads; must divide width. Default width / 64 (12 at width 768), at least 1.'),
    mlpWidth: z.int().min(1).max(65536).optional().describe('Hidden width of each MLP. Default 4 x width (3072 at width 768).'),
    layerNormEps: z.number().gt(0).max(0.1).default(1e-6).describe('LayerNorm epsilon. Default 1e-6.'),
    activation: siglipActivation,
  })
  .superRefine((v, ctx) => {
    const heads = v.heads ?? defaultHeads(v.width);
    if (v.width % heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide width (${v.width})`, input: heads });
  })
  .transform((v) => ({ ...v, heads: v.heads ?? defaultHeads(v.width), mlpWidth: v.mlpWidth ?? 4 * v.width }));

/** A validated SigLIP text section, every default filled. */
export type SiglipTextConfig = z.output<typeof siglipTextSchema>;
