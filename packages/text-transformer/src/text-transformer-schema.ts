import { z } from '@clipkit/core';

/**
 * The `model.text` section for `type: "transformer"`: OpenAI CLIP's causal text transformer. Bounds keep
 * vocabSize x contextLength below 2^31, the int32 arithmetic of the pooling index.
 */
export const textTransformerSchema = z
  .strictObject({
    type: z.literal('transformer'),
    contextLength: z.int().min(2).max(4096).default(77).describe('Tokens per text, start and end tokens included. Default 77.'),
    vocabSize: z.int().min(1).max(262144).default(49408).describe("Token vocabulary size. Default 49408 (OpenAI's BPE)."),
    width: z.int().min(1).max(16384).default(512).describe('Transformer width. Default 512.'),
    heads: z.int().min(1).max(1024).default(8).describe('Attention heads; must divide width. Default 8.'),
    layers: z.int().min(1).max(512).default(12).describe('Residual attention blocks. Default 12.'),
    mlpWidth: z.int().min(1).max(65536).optional().describe('Hidden width of each MLP. Default 4 x width.'),
    layerNormEps: z.number().gt(0).max(0.1).default(1e-5).describe('LayerNorm epsilon. Default 1e-5.'),
    activation: z
      .enum(['quick_gelu', 'gelu'])
      .default('quick_gelu')
      .describe('MLP activation: "quick_gelu" x sigmoid(1.702 x) (OpenAI CLIP) or "gelu" (exact erf GELU, open_clip\'s default). Default "quick_gelu".'),
    eosTokenId: z
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe(
        'Where text features are pooled. null: at the largest token id (the end-of-text token has the largest id), as OpenAI CLIP; ' +
          'a number: at the first occurrence of that id, as Hugging Face transformers for configs whose eos_token_id is not 2. Default null.',
      ),
  })
  .superRefine((v, ctx) => {
    if (v.width % v.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide width (${v.width})`, input: v.heads });
    if (v.eosTokenId !== null && v.eosTokenId >= v.vocabSize) {
      ctx.addIssue({ code: 'custom', path: ['eosTokenId'], message: `must be below vocabSize (${v.vocabSize})`, input: v.eosTokenId });
    }
  })
  .transform((v) => ({ ...v, mlpWidth: v.mlpWidth ?? 4 * v.width }));

/** A validated text transformer section, every default filled. */
export type TextTransformerConfig = z.output<typeof textTransformerSchema>;
