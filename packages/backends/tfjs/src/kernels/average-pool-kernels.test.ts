import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlasAddon } from '../blas-addon.js';
import { initTfjs } from '../init-tfjs.js';
import { relativeError, requireBlasAddon, resultsOn } from '../testing/blas-test-support.js';
import { FUSED_KERNELS } from './clipkit-kernels.js';

// The pooling kernels against tfjs's avgPool ('valid', kernel = stride) and its gradient on the cpu
// backend. Error: max |blas - cpu| / max |cpu|. Means of 4 or 9 values summed in another order: within
// a few float32 roundings (measured at most 1.1e-7; the gradient equal); 1e-6 catches a wrong window or
// divisor.
const TOLERANCE = 1e-6;

let addon: BlasAddon;

beforeAll(() => {
  addon = requireBlasAddon();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('blas average-pool kernels', () => {
  // The ResNet's stem and stride-2 blocks (channels no multiple of 8), floor mode dropping a row and two
  // columns, and a batch large enough to be cut among threads.
  it.each([
    [2, [3, 8, 6, 5]],
    [3, [2, 7, 8, 4]],
    [2, [64, 16, 16, 32]],
  ] as [number, [number, number, number, number]][])('size %i on %j: value and gradient match tf.avgPool', async (size, shape) => {
    const x = new SeededRandom(size).normalArray(shape.reduce((a, b) => a * b, 1));
    const pooled = [shape[0], Math.floor(shape[1] / size), Math.floor(shape[2] / size), shape[3]];
    const dy = new SeededRandom(7).normalArray(pooled.reduce((a, b) => a * b, 1));
    const cpu = await resultsOn('cpu', () => {
      const input = tf.tensor4d(x, shape);
      const pool = (t: tf.Tensor4D) => tf.avgPool(t, size, size, 'valid');
      return [pool(input), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), tf.tensor(dy, pooled))))(input)];
    });
    const [forwardSpy, gradSpy] = [vi.spyOn(addon, 'averagePool'), vi.spyOn(addon, 'averagePoolGrad')];
    const blas = await resultsOn('blas', () => [
      tf.engine().runKernel(FUSED_KERNELS.averagePool, { x: tf.tensor4d(x, shape) }, { size }) as tf.Tensor,
      tf.engine().runKernel(FUSED_KERNELS.averagePoolGrad, { dy: tf.tensor(dy, pooled) }, { size, inputShape: shape }) as tf.Tensor,
    ]);
    expect(forwardSpy).toHaveBeenCalled();
    expect(gradSpy).toHaveBeenCalled();
    expect(relativeError(blas[0], cpu[0]), 'value').toBeLessThanOrEqual(TOLERANCE);
    expect(relativeError(blas[1], cpu[1]), 'gradient').toBeLessThanOrEqual(TOLERANCE);
  });

  it('rejects a window larger than the image and a dy of another shape', async () => {
    await initTfjs({ device: 'blas', log: () => undefined });
    tf.tidy(() => {
      expect(() => tf.engine().runKernel(FUSED_KERNELS.averagePool, { x: tf.zeros([1, 2, 4, 3]) }, { size: 3 })).toThrow(/size 3 does not fit a 2x4 image/);
      expect(() => tf.engine().runKernel(FUSED_KERNELS.averagePoolGrad, { dy: tf.zeros([1, 2, 2, 3]) }, { size: 2, inputShape: [1, 6, 4, 3] })).toThrow(
        /dy has shape \[1,2,2,3\], not the pooled shape of \[1,6,4,3\] at size 2/,
      );
    });
  });
});
