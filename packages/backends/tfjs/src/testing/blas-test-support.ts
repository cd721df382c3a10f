// Test-only (excluded from the build): what the blas kernel tests share.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type BlasAddon, loadBlasAddon } from '../blas-addon.js';
import { initTfjs } from '../init-tfjs.js';

/**
 * The addon, or an error saying how to build it. It is the same module object initTfjs loads (Node caches
 * it by path), so spies on it see the kernels' calls.
 */
export function requireBlasAddon(): BlasAddon {
  const load = loadBlasAddon();
  if ('error' in load) throw new Error(`the blas addon did not load (${load.error}): apt-get install libopenblas-dev, then npm run build -w @clipkit/backend-tfjs`);
  return load.addon;
}

/** Host copies of `compute`'s results on `device`; checks that it leaks no tensor. */
export async function resultsOn(device: 'cpu' | 'blas', compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => [compute()].flat());
  const host = outputs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose(outputs);
  expect(tf.memory().numTensors).toBe(before);
  return host;
}

/** max |actual - expected| / max |expected| (the absolute difference when expected is all zeros). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
