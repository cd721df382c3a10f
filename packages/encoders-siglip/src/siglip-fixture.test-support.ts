import { type HostTensor, readSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** transformers' own SiglipModel on random weights (fixtures/models/siglip-tiny/README.md). */
export const SIGLIP_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`;

/**
 * The bound the issue sets for a float32 port: max|a - ref| <= 2e-5 x max(1, max|ref|). The fixture's README
 * measures its own float32 error at <= 5.1e-7 of max|ref|, and the exact-erf GELU mistake at ~1.5e-4.
 */
export const TOLERANCE = 2e-5;

export interface SiglipTinyFixture {
  readonly pixels: tf.Tensor4D;
  readonly ids: tf.Tensor2D;
  readonly outputs: Map<string, HostTensor>;
  dispose(): void;
}

/** The fixture's inputs as tensors (input_ids as int32) and its reference outputs. */
export async function loadSiglipTiny(): Promise<SiglipTinyFixture> {
  const inputs = await readSafetensors(`${SIGLIP_TINY}/inputs.safetensors`);
  const outputs = await readSafetensors(`${SIGLIP_TINY}/outputs.safetensors`);
  const pixelValues = inputs.get('pixel_values')!;
  const inputIds = inputs.get('input_ids')!;
  const pixels = tf.tensor4d(pixelValues.data as Float32Array, pixelValues.shape as [number, number, number, number]);
  const ids = tf.tensor2d(Int32Array.from(inputIds.data as BigInt64Array, Number), inputIds.shape as [number, number], 'int32');
  return { pixels, ids, outputs, dispose: () => tf.dispose([pixels, ids]) };
}

/** Checks `actual` against a reference tensor at TOLERANCE and returns the error relative to max(1, max|ref|). */
export function expectClose(actual: tf.Tensor, ref: HostTensor, what: string): number {
  expect(actual.shape, what).toEqual(ref.shape);
  const got = actual.dataSync();
  const want = ref.data as Float32Array;
  let error = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    error = Math.max(error, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  const relative = error / Math.max(1, scale);
  expect(relative, what).toBeLessThanOrEqual(TOLERANCE);
  return relative;
}
