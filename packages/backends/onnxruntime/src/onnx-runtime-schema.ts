import { z } from '@clipkit/core';

/** The `backend` section for `type: "onnxruntime"`: towers exported to ONNX, run by onnxruntime-node (inference only). */
export const onnxRuntimeBackendSchema = z.strictObject({
  type: z.literal('onnxruntime'),
  threads: z.int().min(1).max(1024).nullable().default(null).describe("Intra-op threads; null: onnxruntime's default (all cores). Default null."),
  graphOptimization: z
    .enum(['disabled', 'basic', 'extended', 'all'])
    .default('all')
    .describe('onnxruntime graph optimisation level (its fusions; the maths is the same at every level). Default "all".'),
});

export type OnnxRuntimeBackendConfig = z.output<typeof onnxRuntimeBackendSchema>;
