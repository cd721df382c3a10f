import { initTfjs } from '@clipkit/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gelu, geluTanh, quickGelu } from './activation.js';

/** erf in float64, independent of tfjs: Maclaurin series below 3, Laplace's continued fraction for erfc above. */
function erf64(x: number): number {
  const a = Math.abs(x);
  let value: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; Math.abs(term) > 1e-17 * sum; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    value = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let fraction = 0;
    for (let k = 60; k >= 1; k--) fraction = k / 2 / (a + fraction);
    value = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + fraction);
  }
  return Math.sign(x) * value;
}

// blas runs each as a fused kernel, wasm and cpu compose tfjs ops (their backend's ops).
describe.each(['wasm', 'cpu', 'blas'] as const)('activations on %s', (device) => {
  beforeAll(async () => {
    expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device); // no silent fallback from blas
  });

  it('gelu is exact erf GELU to float32 accuracy on [-10, 10]', () => {
    const xs = new Float32Array(20001).map((_, i) => -10 + i / 1000);
    const x = tf.tensor1d(xs);
    const y = gelu(x);
    const got = y.dataSync();
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const ref = xs[i] * 0.5 * (1 + erf64(xs[i] * Math.SQRT1_2));
      worst = Math.max(worst, Math.abs(got[i] - ref) / Math.max(1, Math.abs(ref)));
    }
    // Measured 1.2e-7 (wasm), 2.6e-7 (cpu) and 2.5e-7 (blas); the model fixtures allow 1e-4 of max|ref|, and using
    // QuickGELU instead of GELU would be off by 2e-2 here.
    expect(worst).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });

  it('quickGelu is x * sigmoid(1.702 x) (hand-worked)', () => {
    const x = tf.tensor1d([0, 1, -2]);
    const y = quickGelu(x);
    const expected = [0, 1 / (1 + Math.exp(-1.702)), -2 / (1 + Math.exp(3.404))];
    const got = y.dataSync();
    for (const [i, v] of expected.entries()) expect(got[i]).toBeCloseTo(v, 6);
    tf.dispose([x, y]);
  });

  it('quickGelu has the derivative of x * sigmoid(1.702 x), and neither activation leaks', () => {
    // d/dx = s + 1.702 x s (1 - s), s = sigmoid(1.702 x)
    const xs = [-6, -1.5, 0, 0.4, 3];
    const input = tf.tensor1d(xs);
    const before = tf.memory().numTensors;
    const [dx] = tf.grads((x: tf.Tensor) => tf.sum(quickGelu(x)))([input]);
    const [dxGelu] = tf.grads((x: tf.Tensor) => tf.sum(gelu(x)))([input]);
    const got = dx.dataSync();
    xs.forEach((x, i) => {
      const s = 1 / (1 + Math.exp(-1.702 * x));
      expect(got[i]).toBeCloseTo(s + 1.702 * x * s * (1 - s), 5);
    });
    tf.dispose([dx, dxGelu]);
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });

  it('gelu has the derivative of exact GELU', () => {
    // d/dx [x Phi(x)] = Phi(x) + x phi(x)
    const xs = [-3, -0.5, 0, 0.7, 2.5];
    const input = tf.tensor1d(xs);
    const [dx] = tf.grads((x: tf.Tensor) => tf.sum(gelu(x)))([input]);
    const got = dx.dataSync();
    for (const [i, x] of xs.entries()) expect(got[i]).toBeCloseTo(0.5 * (1 + erf64(x / Math.SQRT2)) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI), 5);
    tf.dispose([input, dx]);
  });

  it('geluTanh is the tanh approximation of GELU and has its derivative', () => {
    // y = x/2 (1 + t), t = tanh(c (x + 0.044715 x^3)), c = sqrt(2/pi); y' = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3 0.044715 x^2)
    const c = Math.sqrt(2 / Math.PI);
    const xs = Array.from({ length: 41 }, (_, i) => -10 + i / 2);
    const input = tf.tensor1d(xs);
    const before = tf.memory().numTensors;
    const y = geluTanh(input);
    const [dx] = tf.grads((x: tf.Tensor) => tf.sum(geluTanh(x)))([input]);
    const [got, slope] = [y.dataSync(), dx.dataSync()];
    let [valueError, slopeError] = [0, 0];
    xs.forEach((x, i) => {
      const t = Math.tanh(c * (x + 0.044715 * x ** 3));
      valueError = Math.max(valueError, Math.abs(got[i] - 0.5 * x * (1 + t)) / Math.max(1, Math.abs(x)));
      slopeError = Math.max(slopeError, Math.abs(slope[i] - (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))));
    });
    // float32 rounding of tanh and its argument: ~1e-7; exact (erf) GELU differs from this one by up to 1.8e-4.
    expect(valueError).toBeLessThan(1e-6);
    expect(slopeError).toBeLessThan(1e-5);
    tf.dispose([y, dx]);
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });
});
