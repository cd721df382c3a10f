import { initTfjs } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayerNorm } from './layer-norm.js';

// float32 against float64 sums of 48 terms, and against tfjs's autodiff of the plain formula: rounding
// is ~1e-7 of the largest value, so 1e-5 of it leaves room and still catches a wrong eps or a missing term.
const TOLERANCE = 1e-5;
const [N, T, D] = [3, 5, 48];

/** LayerNorm of each row in float64 loops. */
function referenceLayerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / D; r++) {
    const row = x.subarray(r * D, (r + 1) * D);
    const mean = row.reduce((a, v) => a + v, 0) / D;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / D;
    for (let c = 0; c < D; c++) out[r * D + c] = ((row[c] - mean) / Math.sqrt(variance + eps)) * gamma[c] + beta[c];
  }
  return out;
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

// blas runs the fused kernels (its ops), wasm and cpu compose tfjs ops.
describe.each(['wasm', 'cpu', 'blas'] as const)('LayerNorm on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  function layerWithWeights(rng: SeededRandom, eps: number): LayerNorm {
    const ln = new LayerNorm(D, eps);
    ln.weight.assign(tf.tensor1d(rng.uniformArray(D, 0.5, 1.5)));
    ln.bias.assign(tf.tensor1d(rng.uniformArray(D, -0.5, 0.5)));
    return ln;
  }

  it.each([1e-5, 0.5])('normalises each row as torch.nn.LayerNorm (eps %s)', (eps) => {
    const rng = new SeededRandom(1);
    const ln = layerWithWeights(rng, eps);
    // Rows offset by 10: the variance must be taken about the mean.
    const xValues = rng.uniformArray(N * T * D, 8, 12);
    const x = tf.tensor3d(xValues, [N, T, D]);
    const y = ln.apply(x);
    expect(y.shape).toEqual([N, T, D]);
    const expected = referenceLayerNorm(xValues, ln.weight.dataSync() as Float32Array, ln.bias.dataSync() as Float32Array, eps);
    expect(relativeError(y.dataSync(), expected)).toBeLessThan(TOLERANCE);
    tf.dispose([x, y]);
    ln.dispose();
  });

  it('has the gradients of tfjs autograd of the formula for x, weight and bias, and leaks nothing', () => {
    const rng = new SeededRandom(2);
    const ln = layerWithWeights(rng, 1e-5);
    const x = tf.tensor3d(rng.normalArray(N * T * D), [N, T, D]);
    const upstream = tf.tensor3d(rng.normalArray(N * T * D), [N, T, D]);
    const formula = (input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor => {
      const { mean, variance } = tf.moments(input, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
    };
    const reference = tf.grads((input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.sum(tf.mul(formula(input, gamma, beta), upstream)))([x, ln.weight, ln.bias]);
    const before = tf.memory().numTensors;
    const [dx] = tf.grads((input: tf.Tensor) => tf.sum(tf.mul(ln.apply(input), upstream)))([x]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x), upstream)), [ln.weight, ln.bias]);
    expect(relativeError(dx.dataSync(), reference[0].dataSync())).toBeLessThan(TOLERANCE);
    expect(relativeError(grads[ln.weight.name].dataSync(), reference[1].dataSync())).toBeLessThan(TOLERANCE);
    expect(relativeError(grads[ln.bias.name].dataSync(), reference[2].dataSync())).toBeLessThan(TOLERANCE);
    tf.dispose([dx, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, upstream, ...reference]);
    ln.dispose();
  });
});
