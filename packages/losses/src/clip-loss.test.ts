import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipLoss } from './clip-loss.js';
import { expectClose, fixtureTensor, loadLossCases } from './loss-fixtures.test-support.js';

const CASES = await loadLossCases();

function logScaleOf(loss: ClipLoss): number {
  return loss.logScale.dataSync()[0];
}

describe('ClipLoss', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('starts at t = ln(1/0.07) and names its one parameter logit_scale, shape [], as OpenAI checkpoints', () => {
    const loss = new ClipLoss();
    expect([...loss.stateDict()].map(([name, v]) => [name, v.shape, v.trainable])).toEqual([['logit_scale', [], true]]);
    // float32 storage of t: relative error of exp(t) below 1e-6.
    expect(Math.abs(loss.logitScale() / (1 / 0.07) - 1)).toBeLessThan(1e-6);
    expect(loss.logitBias()).toBeNull();
    expect(loss.type).toBe('clip');
    loss.dispose();
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|. The module holds t = ln(s), so dL/dt = dL/ds * s.
  it.each(CASES.map((c) => [c.name, c] as const))('computes open_clip ClipLoss with exp(t), and dL/dt = grad_logit_scale x logit_scale, on %s', (_, c) => {
    const scale = c.tensors.get('logit_scale')!.data[0];
    const loss = new ClipLoss({ logitScale: Math.log(scale) });
    const [image, text] = ['image_features', 'text_features'].map((n) => fixtureTensor(c, n)) as [tf.Tensor2D, tf.Tensor2D];
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => loss.compute(image, text));
    expectClose(value, c.tensors.get('clip_loss')!.data, 'clip_loss');
    expectClose(grads[loss.logScale.name], [c.tensors.get('clip_grad_logit_scale')!.data[0] * scale], 'dL/dt');
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([image, text]);
    loss.dispose();
  });

  it('clamps t to [0, maxLogitScale] in place after a step, leaving values inside alone', () => {
    const cases: [number, number, number][] = [
      [5, Math.log(100), Math.log(100)], // above ln 100: the scale is capped at 100
      [-0.5, Math.log(100), 0], // below 0: the scale never drops under 1
      [2, Math.log(100), 2],
      [2, 1.5, 1.5], // a configured maximum
    ];
    for (const [initial, max, expected] of cases) {
      const loss = new ClipLoss({ logitScale: initial, maxLogitScale: max });
      const variable = loss.logScale;
      const before = tf.memory().numTensors;
      loss.afterStep();
      expect(tf.memory().numTensors).toBe(before);
      expect(loss.logScale).toBe(variable);
      expect(Math.abs(logScaleOf(loss) - expected)).toBeLessThan(1e-6); // float32 rounding of t
      loss.dispose();
    }
  });

  it('trains t: an SGD step on the loss moves t, then afterStep keeps it in range', () => {
    const rng = new SeededRandom(4);
    const image = tf.tensor2d(rng.normalArray(4 * 8), [4, 8]);
    const loss = new ClipLoss({ logitScale: Math.log(100) - 1e-3 });
    // Matching pairs identical, so a sharper softmax lowers the loss: the gradient pushes t up, past ln 100.
    const { value, grads } = tf.variableGrads(() => loss.compute(image, image));
    expect(grads[loss.logScale.name].dataSync()[0]).toBeLessThan(0);
    tf.tidy(() => loss.logScale.assign(tf.sub(loss.logScale, tf.mul(grads[loss.logScale.name], 100))));
    expect(logScaleOf(loss)).toBeGreaterThan(Math.log(100));
    loss.afterStep();
    expect(Math.abs(loss.logitScale() - 100)).toBeLessThan(1e-4);
    tf.dispose([image, value, ...Object.values(grads)]);
    loss.dispose();
  });

  it('rejects a non-finite initial scale or a negative maximum', () => {
    expect(() => new ClipLoss({ logitScale: Number.NaN })).toThrow(ClipkitError);
    expect(() => new ClipLoss({ maxLogitScale: -1 })).toThrow(/maxLogitScale must be a finite number >= 0/);
  });

  it('releases its variable on dispose', () => {
    const before = tf.memory().numTensors;
    const loss = new ClipLoss();
    loss.dispose();
    expect(loss.logScale.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
