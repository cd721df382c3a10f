import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';

/** A Conv2d whose weight [out, in, k, k] is `values` (row-major, PyTorch's layout). */
function convWith(values: number[], shape: [number, number, number, number], stride = 1, padding = 0): Conv2d {
  const conv = new Conv2d(shape[1], shape[0], shape[2], new SeededRandom(0), { stride, padding });
  tf.tidy(() => conv.weight.assign(tf.tensor4d(values, shape)));
  return conv;
}

/** max |a - b| / max(1e-3, max |b|): float32 sums in a different order differ by rounding only. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / Math.max(1e-3, tf.max(tf.abs(expected)).dataSync()[0]));
}

const GRADIENT_TOLERANCE = 1e-5; // sums of at most a few hundred float32 products, in a different order

describe.each(['wasm', 'cpu', 'blas'] as const)('Conv2d on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it('pads symmetrically as PyTorch, not as TF "same" (hand-worked, stride 2)', () => {
    // 4x4 input 1..16, all-ones 3x3 kernel, stride 2, padding 1: windows over rows/columns {-1,0,1} and {1,2,3}.
    const conv = convWith(new Array(9).fill(1), [1, 1, 3, 3], 2, 1);
    const y = conv.apply(
      tf.tensor4d(
        Array.from({ length: 16 }, (_, i) => i + 1),
        [1, 4, 4, 1],
      ),
    );
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // 1+2+5+6, 2+3+4+6+7+8, 5+6+9+10+13+14, 6+7+8+10+11+12+14+15+16 (TF "same" would start at 1+2+3+5+...=54).
    expect(Array.from(y.dataSync())).toEqual([14, 30, 57, 99]);
    tf.dispose(y);
    conv.dispose();
  });

  it('correlates with the weight in PyTorch orientation (hand-worked)', () => {
    // A unit impulse at the centre of a 3x3 image returns the kernel flipped: y[i, j] = w[2 - i, 2 - j].
    const conv = convWith([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], 1, 1);
    const y = conv.apply(tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 3, 3, 1]));
    expect(Array.from(y.dataSync())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    tf.dispose(y);
    conv.dispose();
  });

  it('reads the weight as [out, in] in a pointwise convolution (hand-worked)', () => {
    // y[o] = sum_c w[o, c] x[c] with w = [[1, 2], [3, 4], [5, 6]] and x = (10, 1) at one pixel.
    const conv = convWith([1, 2, 3, 4, 5, 6], [3, 2, 1, 1]);
    const y = conv.apply(tf.tensor4d([10, 1], [1, 1, 1, 2]));
    expect(Array.from(y.dataSync())).toEqual([12, 34, 56]);
    tf.dispose(y);
    conv.dispose();
  });

  // [input side, in, out, kernel, stride, padding]: the stem's stride-2 conv on even and odd sides, the 3x3 of
  // every Bottleneck, pointwise convolutions, an unpadded one.
  it.each([
    [8, 3, 4, 3, 2, 1],
    [7, 3, 4, 3, 2, 1],
    [6, 4, 5, 3, 1, 1],
    [5, 4, 6, 1, 1, 0],
    [6, 2, 3, 3, 1, 0],
  ])('has the value and gradients of tfjs autodiff (side %i, %i -> %i, k %i, stride %i, padding %i)', (side, inC, outC, k, stride, padding) => {
    const rng = new SeededRandom(side * 100 + k * 10 + stride);
    const conv = new Conv2d(inC, outC, k, rng, { stride, padding });
    const x = tf.tensor4d(rng.normalArray(2 * side * side * inC), [2, side, side, inC]);
    const oh = Math.floor((side + 2 * padding - k) / stride) + 1;
    const upstream = tf.tensor4d(rng.normalArray(2 * oh * oh * outC), [2, oh, oh, outC]);
    const before = tf.memory().numTensors;
    // Reference: tf.conv2d with tfjs's own gradients (Conv2DBackpropInput/Filter).
    const reference = (input: tf.Tensor4D, weight: tf.Tensor4D) =>
      tf.tidy(() =>
        tf.conv2d(input, tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D, stride, [
          [0, 0],
          [padding, padding],
          [padding, padding],
          [0, 0],
        ]),
      );
    const loss = (f: (input: tf.Tensor4D, weight: tf.Tensor4D) => tf.Tensor4D) => (input: tf.Tensor, weight: tf.Tensor) =>
      tf.sum(tf.mul(f(input as tf.Tensor4D, weight as tf.Tensor4D), upstream));
    const oursValue = conv.apply(x);
    const referenceValue = reference(x, conv.weight);
    const ours = tf.grads(loss((input) => conv.apply(input)))([x, conv.weight]);
    const expected = tf.grads(loss(reference))([x, conv.weight]);
    expect(oursValue.shape).toEqual([2, oh, oh, outC]);
    expect(relativeError(oursValue, referenceValue), 'value').toBeLessThan(GRADIENT_TOLERANCE);
    expect(relativeError(ours[0], expected[0]), 'input gradient').toBeLessThan(GRADIENT_TOLERANCE);
    expect(relativeError(ours[1], expected[1]), 'weight gradient').toBeLessThan(GRADIENT_TOLERANCE);
    tf.dispose([oursValue, referenceValue, ...ours, ...expected]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, upstream]);
    conv.dispose();
  });

  it('initialises as nn.Conv2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch layout', () => {
    const conv = new Conv2d(16, 32, 3, new SeededRandom(1));
    expect(conv.weight.shape).toEqual([32, 16, 3, 3]);
    const values = conv.weight.dataSync();
    const bound = 1 / Math.sqrt(16 * 9);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    // 4608 uniform draws: the largest comes within 1% of the bound.
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    conv.dispose();
  });

  it('rejects a padding the gradient cannot express', () => {
    expect(() => new Conv2d(1, 1, 3, new SeededRandom(0), { padding: 3 })).toThrow(/padding 3 exceeds kernelSize - 1 = 2/);
  });
});
