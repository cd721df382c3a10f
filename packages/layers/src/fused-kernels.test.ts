import { initTfjs } from '@clipkit/backend-tfjs';
import { FUSED_KERNELS, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { hasFusedKernel } from './fused-kernels.js';
import { Linear } from './linear.js';
import { prefersTransposeFlags } from './prefers-transpose-flags.js';

/** The kernels one training step of a Linear layer runs (forward and backward). */
async function kernelsOfLinearStep(): Promise<Set<string>> {
  const rng = new SeededRandom(0);
  const layer = new Linear(8, 4, rng);
  const x = tf.tensor2d(rng.normalArray(3 * 8), [3, 8]);
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x)));
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(x);
  layer.dispose();
  return new Set(profile.kernels.map((k) => k.name));
}

describe('backend choice', () => {
  it.each([
    ['wasm', false, false],
    ['cpu', true, false],
    ['blas', true, true],
  ] as const)('on %s: transpose flags %s, fused kernels %s', async (device, flags, fused) => {
    await initTfjs({ device, log: () => undefined });
    expect(prefersTransposeFlags()).toBe(flags);
    // On blas every name must match a kernel of @clipkit/backend-tfjs (a renamed kernel fails here).
    for (const name of Object.values(FUSED_KERNELS)) expect(hasFusedKernel(name), name).toBe(fused);
  });

  it('wasm trains Linear on explicit transposes, blas on transpose flags and a fused bias', async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
    const wasm = await kernelsOfLinearStep();
    expect(wasm.has('Transpose')).toBe(true);
    expect(wasm.has('_FusedMatMul')).toBe(false);
    await initTfjs({ device: 'blas', log: () => undefined });
    const blas = await kernelsOfLinearStep();
    expect(blas.has('Transpose')).toBe(false);
    expect(blas.has('_FusedMatMul')).toBe(true);
  });
});
