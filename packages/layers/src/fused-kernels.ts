import * as tf from '@tensorflow/tfjs-core';

/** Whether the current tfjs backend has the kernel `name` (one of FUSED_KERNELS, @clipkit/core). */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
