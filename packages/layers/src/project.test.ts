import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { project } from './project.js';

const TOLERANCE = 1e-5; // float32 sums of 24 products; autograd and the hand-written gradient differ only by rounding

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(['wasm', 'cpu', 'blas'] as const)('project on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it('computes x W for W stored [in, out] (hand-worked)', () => {
    const [x, w] = [
      tf.tensor2d([[1, 2]]),
      tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ];
    const y = project(x, w);
    expect(Array.from(y.dataSync())).toEqual([9, 12, 15]);
    tf.dispose([x, w, y]);
  });

  it('has the gradients of tfjs autograd for x and W, and leaks nothing', () => {
    const rng = new SeededRandom(2);
    const x = tf.tensor2d(rng.normalArray(5 * 24), [5, 24]);
    const w = tf.tensor2d(rng.normalArray(24 * 16), [24, 16]);
    const upstream = tf.tensor2d(rng.normalArray(5 * 16), [5, 16]);
    const before = tf.memory().numTensors;
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(project(a as tf.Tensor2D, b as tf.Tensor2D), upstream)))([x, w]);
    const reference = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), upstream)))([x, w]);
    expect(maxAbsDiff(ours[0], reference[0])).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(ours[1], reference[1])).toBeLessThan(TOLERANCE);
    tf.dispose([...ours, ...reference]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, upstream]);
  });
});
