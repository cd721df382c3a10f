import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether the current tfjs backend should run products of transposed operands as matMul with transpose
 * flags (true) or on transposes made explicitly (false, wasm only). Linear, linear() and project() choose
 * their formulation by it, forward and backward.
 *
 * wasm runs a plain 2-D product through XNNPACK, but any product with a transpose flag (or batched) in
 * its naive kernel, ~12x slower (measured: training 3.8x faster with explicit transposes). On every other
 * backend a flag is free (blas hands it to cblas_sgemm, the cpu backend reads with strides, tensorflow
 * and webgl do the same) while a transpose is a copy through memory: on blas, flags and the fused bias
 * of tf.fused.matMul took the benchmark model's training step from 5.5 to 4.8 s (docs/architecture.md).
 */
export function prefersTransposeFlags(): boolean {
  return tf.getBackend() !== 'wasm';
}
