import { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BlasAddon } from '../blas-addon.js';
import { initTfjs } from '../init-tfjs.js';
import { describeEachGemm, relativeError, requireBlasAddon, resultsOn } from '../testing/blas-test-support.js';
import { FUSED_KERNELS } from './clipkit-kernels.js';

// Each kernel tfjs lacks against the plain tfjs formulation it replaces (value, and gradient by tfjs's
// autodiff) on the cpu backend. Error: max |blas - cpu| / max |cpu| per result. The kernels compute the
// same maths in another order (and LayerNorm's sums in 8 lanes): measured at most 8.7e-7 (QuickGELU's
// gradient); 1e-5 still catches a wrong constant or an indexing slip.
const TOLERANCE = 1e-5;

let addon: BlasAddon;

beforeAll(() => {
  addon = requireBlasAddon();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const log = (): void => undefined;

function values(size: number, seed: number, low: number, high: number): Float32Array {
  return new SeededRandom(seed).uniformArray(size, low, high);
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] => tf.engine().runKernel(name, inputs, attrs);

describe.each([
  ['QuickGELU', FUSED_KERNELS.quickGelu, FUSED_KERNELS.quickGeluGrad, (x: tf.Tensor) => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)))],
  ['GELU', FUSED_KERNELS.gelu, FUSED_KERNELS.geluGrad, (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))],
  [
    'tanh GELU',
    FUSED_KERNELS.geluTanh,
    FUSED_KERNELS.geluTanhGrad,
    (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))))),
  ],
] as const)('blas %s kernel', (_, forward, gradient, formula) => {
  // Past both saturated ends of the sigmoid and erf, with a length that is no multiple of the 8-lane loop.
  const shape = [3, 7, 1001];
  const size = 3 * 7 * 1001;

  it('has the value and the gradient of the tfjs formula', async () => {
    const x = values(size, 1, -12, 12);
    const dy = values(size, 2, -1, 1);
    const cpu = await resultsOn('cpu', () => {
      const input = tf.tensor(x, shape);
      return [formula(input), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(formula(t), tf.tensor(dy, shape))))(input)];
    });
    const [forwardSpy, gradSpy] = [vi.spyOn(addon, 'gelu'), vi.spyOn(addon, 'geluGrad')];
    const blas = await resultsOn('blas', () => [
      run(forward, { x: tf.tensor(x, shape) }) as tf.Tensor,
      run(gradient, { dy: tf.tensor(dy, shape), x: tf.tensor(x, shape) }) as tf.Tensor,
    ]);
    expect(forwardSpy).toHaveBeenCalled();
    expect(gradSpy).toHaveBeenCalled();
    expect(relativeError(blas[0], cpu[0]), 'value').toBeLessThanOrEqual(TOLERANCE);
    expect(relativeError(blas[1], cpu[1]), 'gradient').toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('blas LayerNorm kernel', () => {
  const EPS = 1e-5;
  const formula = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
  };

  // A 3-D input as the transformer's; rows fewer than the kernel's 64 blocks; a width that is no
  // multiple of 8; rows of a large offset (the two-pass variance must not cancel).
  it.each([
    ['3-D [4, 65, 96]', [4, 65, 96], 0],
    ['2-D [5, 37], fewer rows than blocks', [5, 37], 0],
    ['2-D [300, 256], offset 50', [300, 256], 50],
  ] as const)('%s: value, mean, 1/std and gradients match tfjs', async (_, shape, offset) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const width = shape[shape.length - 1];
    const x = values(size, 3, offset - 2, offset + 2);
    const gamma = values(width, 4, 0.5, 1.5);
    const beta = values(width, 5, -0.5, 0.5);
    const dy = values(size, 6, -1, 1);
    const cpu = await resultsOn('cpu', () => {
      const [input, g, b] = [tf.tensor(x, [...shape]), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const { mean, variance } = tf.moments(input, -1);
      const grads = tf.grads((t: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(formula(t, gt, bt), tf.tensor(dy, [...shape]))))([input, g, b]);
      return [formula(input, g, b), mean, tf.rsqrt(tf.add(variance, EPS)), ...grads];
    });
    const [forwardSpy, gradSpy] = [vi.spyOn(addon, 'layerNorm'), vi.spyOn(addon, 'layerNormGrad')];
    const blas = await resultsOn('blas', () => {
      const [input, g, b] = [tf.tensor(x, [...shape]), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const [y, mean, rstd] = run(FUSED_KERNELS.layerNorm, { x: input, gamma: g, beta: b }, { epsilon: EPS }) as tf.Tensor[];
      expect(mean.shape).toEqual(shape.slice(0, -1));
      const grads = run(FUSED_KERNELS.layerNormGrad, { dy: tf.tensor(dy, [...shape]), x: input, gamma: g, mean, rstd }) as tf.Tensor[];
      return [y, mean, rstd, ...grads];
    });
    expect(forwardSpy).toHaveBeenCalled();
    expect(gradSpy).toHaveBeenCalled();
    for (const [i, what] of ['y', 'mean', 'rstd', 'dx', 'dgamma', 'dbeta'].entries()) {
      expect(relativeError(blas[i], cpu[i]), what).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('rejects a gamma that does not match the last dim', async () => {
    await initTfjs({ device: 'blas', log });
    tf.tidy(() => {
      expect(() => run(FUSED_KERNELS.layerNorm, { x: tf.zeros([2, 4]), gamma: tf.ones([3]), beta: tf.zeros([3]) }, { epsilon: EPS })).toThrow(/gamma has shape \[3\], x \[2,4\]/);
    });
  });
});

describe('blas BatchNorm kernel', () => {
  const EPS = 1e-5;
  /** Training-mode BatchNorm over every axis but the last, biased variance, in tfjs ops. */
  const formula = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor[] => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const invStd = tf.rsqrt(tf.add(variance, EPS));
    return [tf.add(tf.mul(tf.mul(tf.sub(x, mean), invStd), gamma), beta), mean, variance, invStd];
  };

  // A ResNet stem's activation (channels no multiple of 8), a late stage's (rows fewer than the kernel's 64
  // blocks), and channels offset by 50 (the variance must be taken about the mean).
  it.each([
    ['[8, 16, 16, 6]', [8, 16, 16, 6], 0],
    ['[4, 2, 2, 40], fewer rows than blocks', [4, 2, 2, 40], 0],
    ['[16, 4, 4, 32], offset 50', [16, 4, 4, 32], 50],
  ] as const)('%s: value, statistics and gradients match tfjs', async (_, shape, offset) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const channels = shape[shape.length - 1];
    const x = values(size, 11, offset - 2, offset + 2);
    const gamma = values(channels, 12, 0.5, 1.5);
    const beta = values(channels, 13, -0.5, 0.5);
    const dy = values(size, 14, -1, 1);
    const cpu = await resultsOn('cpu', () => {
      const [input, g, b] = [tf.tensor(x, [...shape]), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const grads = tf.grads((t: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(formula(t, gt, bt)[0], tf.tensor(dy, [...shape]))))([input, g, b]);
      return [...formula(input, g, b), ...grads];
    });
    const [forwardSpy, gradSpy] = [vi.spyOn(addon, 'batchNorm'), vi.spyOn(addon, 'batchNormGrad')];
    const blas = await resultsOn('blas', () => {
      const [input, g, b] = [tf.tensor(x, [...shape]), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const [y, mean, variance, invStd] = run(FUSED_KERNELS.batchNorm, { x: input, gamma: g, beta: b }, { epsilon: EPS }) as tf.Tensor[];
      expect(mean.shape).toEqual([channels]);
      const grads = run(FUSED_KERNELS.batchNormGrad, { dy: tf.tensor(dy, [...shape]), x: input, gamma: g, mean, invStd }) as tf.Tensor[];
      return [y, mean, variance, invStd, ...grads];
    });
    expect(forwardSpy).toHaveBeenCalled();
    expect(gradSpy).toHaveBeenCalled();
    for (const [i, what] of ['y', 'mean', 'variance', 'invStd', 'dx', 'dgamma', 'dbeta'].entries()) expect(relativeError(blas[i], cpu[i]), what).toBeLessThanOrEqual(TOLERANCE);
  });

  it('rejects a gamma that does not match the channels', async () => {
    await initTfjs({ device: 'blas', log });
    tf.tidy(() => {
      expect(() => run(FUSED_KERNELS.batchNorm, { x: tf.zeros([2, 2, 2, 4]), gamma: tf.ones([3]), beta: tf.zeros([3]) }, { epsilon: EPS })).toThrow(
        /gamma has shape \[3\], x \[2,2,2,4\]/,
      );
    });
  });
});

// Attention's products run on the addon's GEMM: on every one this machine has.
describeEachGemm(
  () => addon,
  () => {
    describe('blas attention kernel', () => {
      /** torch.nn.MultiheadAttention's heads from qkv [B, T, 3D] with tfjs ops: split, scale, softmax, merge. */
      const formula = (qkv: tf.Tensor, heads: number, mask: tf.Tensor | null): tf.Tensor[] => {
        const [B, T, threeD] = qkv.shape;
        const hd = threeD / 3 / heads;
        const split = tf.transpose(tf.reshape(qkv, [B, T, 3, heads, hd]), [2, 0, 3, 1, 4]); // [3, B, H, T, hd]
        const [q, k, v] = tf.unstack(split);
        let scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(hd)), k, false, true); // [B, H, T, T]
        if (mask) scores = tf.add(scores, mask);
        const probs = tf.softmax(scores);
        const context = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, T, heads * hd]);
        return [context, probs];
      };

      // The ViT shape in miniature (no mask, tokens no multiple of 8), the text tower's (causal -inf mask),
      // and a single token.
      it.each([
        ['no mask', 3, 9, 2, 16, false],
        ['causal mask', 2, 6, 4, 8, true],
        ['one token', 2, 1, 2, 4, false],
      ] as const)('%s: context, probabilities and dqkv match tfjs', async (_, B, T, H, hd, causal) => {
        const shape = [B, T, 3 * H * hd];
        const size = B * T * 3 * H * hd;
        const qkv = values(size, 7, -2, 2);
        const dy = values(B * T * H * hd, 8, -1, 1);
        const maskValues = new Float32Array(T * T).map((_, i) => (causal && i % T > Math.floor(i / T) ? -Infinity : 0));
        const maskOf = (): tf.Tensor | null => (causal ? tf.tensor2d(maskValues, [T, T]) : null);
        const cpu = await resultsOn('cpu', () => {
          const input = tf.tensor(qkv, shape);
          const mask = maskOf();
          const dqkv = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(formula(t, H, mask)[0], tf.tensor(dy, [B, T, H * hd]))))(input);
          return [...formula(input, H, mask), dqkv];
        });
        const [forwardSpy, gradSpy] = [vi.spyOn(addon, 'attention'), vi.spyOn(addon, 'attentionGrad')];
        const blas = await resultsOn('blas', () => {
          const input = tf.tensor(qkv, shape);
          const mask = maskOf();
          const [context, probs] = run(FUSED_KERNELS.attention, mask ? { qkv: input, mask } : { qkv: input }, { heads: H }) as tf.Tensor[];
          expect(context.shape).toEqual([B, T, H * hd]);
          expect(probs.shape).toEqual([B, H, T, T]);
          return [context, probs, run(FUSED_KERNELS.attentionGrad, { dy: tf.tensor(dy, [B, T, H * hd]), qkv: input, probs }, { heads: H }) as tf.Tensor];
        });
        expect(forwardSpy).toHaveBeenCalled();
        expect(gradSpy).toHaveBeenCalled();
        for (const [i, what] of ['context', 'probs', 'dqkv'].entries()) {
          expect(relativeError(blas[i], cpu[i]), what).toBeLessThanOrEqual(TOLERANCE);
        }
      });

      it('rejects a qkv whose width the heads do not divide into thirds', async () => {
        await initTfjs({ device: 'blas', log });
        tf.tidy(() => {
          expect(() => run(FUSED_KERNELS.attention, { qkv: tf.zeros([1, 2, 12]) }, { heads: 3 })).toThrow(/qkv has shape \[1,2,12\]/);
        });
      });
    });
  },
);
