import { initTfjs } from '@clipkit/backend-tfjs';
import { registeredTensorOps, SeededRandom, type TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { causalMask } from './causal-mask.js';
import { Linear } from './linear.js';
import { ops } from './ops.js';
import { portableOps } from './portable-ops.js';

type Device = 'wasm' | 'cpu' | 'blas';

async function use(device: Device): Promise<void> {
  expect((await initTfjs({ device, log: () => undefined })).backend).toBe(device);
}

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

describe('ops()', () => {
  it('takes what initTfjs registered for wasm and blas, the portable ops for the rest and on cpu', async () => {
    for (const device of ['wasm', 'blas'] as const) {
      await use(device);
      const own = registeredTensorOps(device) ?? {};
      expect(Object.keys(own).length, device).toBeGreaterThan(0);
      for (const name of Object.keys(portableOps) as (keyof TensorOps)[]) expect(ops()[name], `${device} ${name}`).toBe(own[name] ?? portableOps[name]);
      expect(ops()).toBe(ops()); // merged once per registration
    }
    await use('cpu');
    expect(ops()).toBe(portableOps);
  });

  it('trains Linear on explicit transposes on wasm, on transpose flags elsewhere, with the bias fused on blas', async () => {
    await use('wasm');
    const wasm = await kernelsOfLinearStep();
    expect(wasm.has('Transpose')).toBe(true);
    expect(wasm.has('_FusedMatMul')).toBe(false);
    for (const [device, fusedBias] of [
      ['blas', true],
      ['cpu', false],
    ] as const) {
      await use(device);
      const kernels = await kernelsOfLinearStep();
      expect(kernels.has('Transpose'), device).toBe(false);
      expect(kernels.has('_FusedMatMul'), device).toBe(fusedBias);
    }
  });

  it('runs the activations, LayerNorm, attention and BatchNorm as single kernels on blas', async () => {
    await use('blas');
    const rng = new SeededRandom(1);
    const x = tf.tensor2d(rng.normalArray(4 * 12), [4, 12]);
    const profile = await tf.profile(() => {
      const o = ops();
      const qkv = tf.reshape(tf.concat([x, x, x], 1), [2, 2, 36]) as tf.Tensor3D;
      const { y, mean, variance } = o.batchNorm(tf.reshape(x, [2, 2, 1, 12]), tf.ones([12]), tf.zeros([12]), 1e-5);
      tf.dispose([o.quickGelu(x), o.gelu(x), o.geluTanh(x), o.layerNorm(x, tf.ones([12]), tf.zeros([12]), 1e-5), o.attention(qkv, 3), qkv, y, mean, variance]);
    });
    const kernels = new Set(profile.kernels.map((k) => k.name));
    for (const name of ['ClipkitQuickGelu', 'ClipkitGelu', 'ClipkitGeluTanh', 'ClipkitLayerNorm', 'ClipkitAttention', 'ClipkitBatchNorm'])
      expect(kernels.has(name), name).toBe(true);
    for (const composed of ['Sigmoid', 'Erf', 'Tanh', 'Softmax', 'Rsqrt']) expect(kernels.has(composed), composed).toBe(false);
    x.dispose();
  });
});

/**
 * One op with its inputs: `run(o, ...inputs)` computes the op of the ops object `o`; the test takes its value
 * and, by tfjs's autodiff of sum(op * upstream), the gradients with respect to every input.
 */
interface OpCase {
  name: string;
  inputs: (rng: SeededRandom) => tf.Tensor[];
  run: (o: TensorOps, ...inputs: tf.Tensor[]) => tf.Tensor;
  /** Compare the value only (results that carry no gradient). */
  valueOnly?: boolean;
}

const CASES: OpCase[] = [
  {
    name: 'linear with a bias',
    inputs: (rng) => [tf.tensor2d(rng.normalArray(5 * 24), [5, 24]), tf.tensor2d(rng.normalArray(16 * 24), [16, 24]), tf.tensor1d(rng.normalArray(16))],
    run: (o, x, w, b) => o.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
  },
  {
    name: 'linear without a bias',
    inputs: (rng) => [tf.tensor2d(rng.normalArray(5 * 24), [5, 24]), tf.tensor2d(rng.normalArray(16 * 24), [16, 24])],
    run: (o, x, w) => o.linear(x as tf.Tensor2D, w as tf.Tensor2D),
  },
  {
    name: 'project',
    inputs: (rng) => [tf.tensor2d(rng.normalArray(5 * 24), [5, 24]), tf.tensor2d(rng.normalArray(24 * 16), [24, 16])],
    run: (o, x, w) => o.project(x as tf.Tensor2D, w as tf.Tensor2D),
  },
  // The ResNet stem's stride-2 3x3 on an odd side, a Bottleneck's 3x3, and a padding as large as the kernel.
  ...(
    [
      [7, 3, 4, 3, 2, 1],
      [6, 4, 5, 3, 1, 1],
      [4, 2, 3, 1, 1, 1],
    ] as const
  ).map(
    ([side, inC, outC, k, stride, padding]): OpCase => ({
      name: `conv2d (side ${side}, ${inC} -> ${outC}, k ${k}, stride ${stride}, padding ${padding})`,
      inputs: (rng) => [tf.tensor4d(rng.normalArray(2 * side * side * inC), [2, side, side, inC]), tf.tensor4d(rng.normalArray(outC * inC * k * k), [outC, inC, k, k])],
      run: (o, x, w) => o.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, padding),
    }),
  ),
  ...(['quickGelu', 'gelu', 'geluTanh'] as const).map(
    (name): OpCase => ({
      name,
      // Past both saturated ends, with a length that is no multiple of the addon's 8-lane loop.
      inputs: (rng) => [tf.tensor2d(rng.uniformArray(3 * 37, -8, 8), [3, 37])],
      run: (o, x) => o[name](x),
    }),
  ),
  {
    name: 'layerNorm',
    // Rows offset by 10: the variance must be taken about the mean.
    inputs: (rng) => [tf.tensor3d(rng.uniformArray(3 * 5 * 48, 8, 12), [3, 5, 48]), tf.tensor1d(rng.uniformArray(48, 0.5, 1.5)), tf.tensor1d(rng.uniformArray(48, -0.5, 0.5))],
    run: (o, x, gamma, beta) => o.layerNorm(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5),
  },
  // The stem's [N, 16, 16, C] and a ResNet stage's [N, 2, 2, C]; channels offset by 10 (the variance must be
  // taken about the mean). The value with its gradients, then the statistics (which carry none).
  ...(
    [
      [4, 16, 16, 6],
      [8, 2, 2, 20],
    ] as const
  ).flatMap(([N, H, W, C]): OpCase[] => {
    const inputs = (rng: SeededRandom) => [
      tf.tensor4d(rng.uniformArray(N * H * W * C, 8, 12), [N, H, W, C]),
      tf.tensor1d(rng.uniformArray(C, 0.5, 1.5)),
      tf.tensor1d(rng.uniformArray(C, -0.5, 0.5)),
    ];
    const normalise = (o: TensorOps, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => o.batchNorm(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5);
    return [
      {
        name: `batchNorm [${N}, ${H}, ${W}, ${C}]`,
        inputs,
        run: (o, x, gamma, beta) => {
          const { y, mean, variance } = normalise(o, x, gamma, beta);
          tf.dispose([mean, variance]);
          return y;
        },
      },
      {
        name: `batchNorm's statistics [${N}, ${H}, ${W}, ${C}]`,
        inputs,
        run: (o, x, gamma, beta) =>
          tf.tidy(() => {
            const { y, mean, variance } = normalise(o, x, gamma, beta);
            y.dispose();
            return tf.concat([mean, variance]);
          }),
        valueOnly: true,
      },
    ];
  }),
  ...[false, true].map(
    (causal): OpCase => ({
      name: `attention (causal mask ${causal})`,
      inputs: (rng) => [tf.tensor3d(rng.normalArray(2 * 5 * 3 * 12), [2, 5, 36])],
      run: (o, qkv) =>
        tf.tidy(() => {
          const mask = causal ? causalMask(5) : undefined;
          return o.attention(qkv as tf.Tensor3D, 3, mask);
        }),
    }),
  ),
];

/** The value and the gradients of every input of `op` with the ops `of()` gives on `device`, as host arrays; checks that nothing leaks. */
async function resultsOf(device: Device, of: () => TensorOps, op: OpCase): Promise<Float32Array[]> {
  await use(device);
  const rng = new SeededRandom(7);
  const inputs = op.inputs(rng);
  const before = tf.memory().numTensors;
  const value = op.run(of(), ...inputs);
  const upstream = tf.tensor(rng.normalArray(value.size), value.shape);
  const grads = op.valueOnly ? [] : tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op.run(of(), ...xs), upstream)))(inputs);
  const host = [value, ...grads].map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose([value, upstream, ...grads]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(inputs);
  return host;
}

/** max |actual - expected| / max |expected|. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let [diff, scale] = [0, 0];
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

// Each backend's registered ops against the portable ops on the same backend and on cpu: the same maths in
// another order (explicit transposes, forward-convolution gradients, fused kernels), so float32 rounding
// apart, ~1e-7 of the largest value; 1e-5 still catches a wrong constant, term or index.
const TOLERANCE = 1e-5;

describe.each(CASES)('$name', (op) => {
  it.each(['wasm', 'blas'] as const)('on %s has the value and gradients of the portable ops, there and on cpu', async (device) => {
    const reference = await resultsOf('cpu', () => portableOps, op);
    const portable = await resultsOf(device, () => portableOps, op);
    const registered = await resultsOf(device, ops, op);
    registered.forEach((result, i) => {
      const what = i === 0 ? 'value' : `gradient ${i}`;
      expect(relativeError(result, portable[i]), `${what} against ${device}'s portable ops`).toBeLessThanOrEqual(TOLERANCE);
      expect(relativeError(result, reference[i]), `${what} against cpu`).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});
