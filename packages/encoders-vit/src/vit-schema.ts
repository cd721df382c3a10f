import { z } from '@clipkit/core';

/** open_clip's head_width: the default head count is width / 64. */
const HEAD_WIDTH = 64;

/** The `model.vision` section for `type: "vit"`: OpenAI CLIP's VisionTransformer. */
export const vitSchema = z
  .strictObject({
    type: z.literal('vit'),
    imageSize: z.int().min(1).max(4096).default(224).describe('Input side in pixels (square). Default 224.'),
    patchSize: z.int().min(1).max(1024).default(32).describe('Patch side in pixels; must divide imageSize. Default 32.'),
    width: z.int().min(1).max(16384).default(768).describe('Transformer width. Default 768.'),
    layers: z.int().min(1).max(512).default(12).describe('Residual attention blocks. Default 12.'),
    heads: z.int().min(1).max(1024).optional().describe("Attention heads; must divide width. Default width / 64 (open_clip's head_width 64), at least 1."),
    mlpWidth: z.int().min(1).max(65536).optional().describe('Hidden width of each MLP. Default 4 x width.'),
    layerNormEps: z.number().gt(0).max(0.1).default(1e-5).describe('LayerNorm epsilon. Default 1e-5.'),
    activation: z
      .enum(['quick_gelu', 'gelu'])
      .default('quick_gelu')
      .describe('MLP activation: "quick_gelu" x sigmoid(1.702 x) (OpenAI CLIP) or "gelu" (exact erf GELU, open_clip\'s default). Default "quick_gelu".'),
  })
  .superRefine((v, ctx) => {
    if (v.imageSize % v.patchSize !== 0) ctx.addIssue({ code: 'custom', path: ['patchSize'], message: `must divide imageSize (${v.imageSize})`, input: v.patchSize });
    const heads = v.heads ?? defaultHeads(v.width);
    if (v.width % heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `must divide width (${v.width})`, input: heads });
  })
  .transform((v) => ({ ...v, heads: v.heads ?? defaultHeads(v.width), mlpWidth: v.mlpWidth ?? 4 * v.width }));

function defaultHeads(width: number): number {
  return Math.max(1, Math.floor(width / HEAD_WIDTH));
}

/** A validated ViT section, every default filled. */
export type VitConfig = z.output<typeof vitSchema>;
