// Test-only (excluded from the build): what the blas kernel tests share.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { type BlasAddon, loadBlasAddon } from '../blas-addon.js';
import { initTfjs } from '../init-tfjs.js';

/**
 * The addon, or an error saying how to build it. It is the same module object initTfjs loads (Node caches
 * it by path), so spies on it see the kernels' calls.
 */
export function requireBlasAddon(): BlasAddon {
  const load = loadBlasAddon();
  if ('error' in load) throw new Error(`the blas addon did not load (${load.error}): apt-get install g++ make python3, then npm run build -w @clipkit/backend-tfjs`);
  return load.addon;
}

/** What info().gemm says for each key of info().gemms. */
const GEMM_NAMES: Record<string, RegExp> = { openblas: /^OpenBLAS \d+\.\d+\.\d+ \w+$/, avx2: /^clipkit sgemm AVX2$/, sse2: /^clipkit sgemm SSE2$/ };

/**
 * Every GEMM this machine runs (OpenBLAS where it loads, and each of clipkit's builds the CPU runs), for
 * tests that run their cases on each: read when the test file is collected, so a missing addon fails it.
 */
export function gemmKeys(): string[] {
  return requireBlasAddon().info().gemms;
}

/** Checks, through info(), that the addon's products run on the GEMM `key`. */
export function expectGemmInUse(addon: BlasAddon, key: string): void {
  expect(addon.info().gemm).toMatch(GEMM_NAMES[key] ?? /^$/);
}

/**
 * Runs the suite's tests on each GEMM this machine has (see gemmKeys), checking before and after each
 * test that its GEMM is the one in use, and goes back to the addon's default after.
 */
export function describeEachGemm(addon: () => BlasAddon, suite: (gemm: string) => void): void {
  const keys = gemmKeys();
  describe.each(keys)('on the %s GEMM', (gemm) => {
    beforeAll(() => addon().useGemm(gemm));
    beforeEach(() => expectGemmInUse(addon(), gemm));
    afterEach(() => expectGemmInUse(addon(), gemm));
    afterAll(() => addon().useGemm(keys[0]));
    suite(gemm);
  });
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
