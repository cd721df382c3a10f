import { z } from '@clipkit/core';

/** The `backend` section for `type: "tfjs"`: which tfjs backend runs the model. */
export const tfjsBackendSchema = z.strictObject({
  type: z.literal('tfjs'),
  device: z
    .enum(['auto', 'tensorflow', 'blas', 'wasm', 'cpu'])
    .default('auto')
    .describe(
      'The tfjs backend: "tensorflow" (tfjs-node-gpu or tfjs-node), "blas" (the cpu backend on OpenBLAS), "wasm", "cpu", or "auto": ' +
        'the fastest available in that order. Default "auto".',
    ),
  threads: z.int().min(1).max(1024).nullable().default(null).describe('Threads of the blas backend; null: all cores (wasm runs one thread under Node). Default null.'),
});

export type TfjsBackendConfig = z.output<typeof tfjsBackendSchema>;
