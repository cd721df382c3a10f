import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { averagePool } from './average-pool.js';

// Truth: a hand-worked window, and tfjs's own avgPool (kernel = stride, 'valid') with its gradient.
// Means of 4 or 9 float32 values in another order: within 1e-6 of the largest value.
const TOLERANCE = 1e-6;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(['wasm', 'cpu', 'blas'] as const)('averagePool on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it('averages each 2x2 window (hand-worked)', () => {
    // 4x4 image 1..16, one channel: windows {1,2,5,6} -> 3.5, {3,4,7,8} -> 5.5, {9,10,13,14} -> 11.5, {11,12,15,16} -> 13.5.
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const y = averagePool(x, 2);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([3.5, 5.5, 11.5, 13.5]);
    tf.dispose([x, y]);
  });

  it.each([
    [2, [3, 8, 6, 5]],
    [3, [2, 7, 8, 4]], // floor mode: the last row and the last two columns are dropped
    [2, [2, 5, 5, 3]],
  ] as [number, [number, number, number, number]][])('equals tf.avgPool and its gradient (size %i, input %j) and leaks nothing', (size, shape) => {
    const rng = new SeededRandom(size);
    const x = tf.tensor4d(rng.normalArray(shape.reduce((a, b) => a * b)), shape);
    const expected = tf.avgPool(x, size, size, 'valid');
    const upstream = tf.tensor4d(new SeededRandom(7).normalArray(expected.size), expected.shape);
    const before = tf.memory().numTensors;
    const y = averagePool(x, size);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(averagePool(input as tf.Tensor4D, size), upstream)))(x);
    const dxExpected = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(input as tf.Tensor4D, size, size, 'valid'), upstream)))(x);
    expect(y.shape).toEqual(expected.shape);
    expect(maxAbsDiff(y, expected)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(dx, dxExpected)).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([y, dx, dxExpected]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, expected, upstream]);
  });

  it.runIf(device === 'blas')("runs the backend's fused kernels on blas, forward and back", async () => {
    const x = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
    const { kernelNames } = await tf.profile(() => tf.grad((input: tf.Tensor) => tf.sum(averagePool(input as tf.Tensor4D, 2)))(x));
    expect(kernelNames).toEqual(expect.arrayContaining(['ClipkitAveragePool', 'ClipkitAveragePoolGrad']));
    tf.dispose(x);
  });
});
