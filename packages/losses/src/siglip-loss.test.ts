import { initTfjs } from '@clipkit/backend-tfjs';
import { ClipkitError } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, fixtureTensor, loadLossCases } from './loss-fixtures.test-support.js';
import { SigLipLoss } from './siglip-loss.js';

const CASES = await loadLossCases();

describe('SigLipLoss', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it("starts at t' = ln 10 and b = -10, named logit_scale and logit_bias, shape [], as open_clip", () => {
    const loss = new SigLipLoss();
    expect([...loss.stateDict()].map(([name, v]) => [name, v.shape, v.trainable])).toEqual([
      ['logit_scale', [], true],
      ['logit_bias', [], true],
    ]);
    // float32 storage of t': relative error of exp(t') below 1e-6.
    expect(Math.abs(loss.logitScale() / 10 - 1)).toBeLessThan(1e-6);
    expect(loss.logitBias()).toBe(-10);
    expect(loss.chunkSize).toBeNull();
    loss.dispose();
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|. The module holds t' = ln(s), so dL/dt' = dL/ds * s.
  describe.each([null, 5])('chunkSize %s', (chunkSize) => {
    it.each(CASES.map((c) => [c.name, c] as const))("computes open_clip SigLipLoss, dL/dt' and dL/db on %s", (_, c) => {
      const scale = c.tensors.get('logit_scale')!.data[0];
      const loss = new SigLipLoss({ logitScale: Math.log(scale), logitBias: c.tensors.get('logit_bias')!.data[0], chunkSize });
      const [image, text] = ['image_features', 'text_features'].map((n) => fixtureTensor(c, n)) as [tf.Tensor2D, tf.Tensor2D];
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => loss.compute(image, text));
      expectClose(value, c.tensors.get('siglip_loss')!.data, 'siglip_loss');
      expectClose(grads[loss.logScale.name], [c.tensors.get('siglip_grad_logit_scale')!.data[0] * scale], "dL/dt'");
      expectClose(grads[loss.bias.name], c.tensors.get('siglip_grad_logit_bias')!.data, 'dL/db');
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([image, text]);
      loss.dispose();
    });
  });

  it("clamps t' to [0, maxLogitScale] after a step and leaves the bias alone", () => {
    const loss = new SigLipLoss({ logitScale: 6, logitBias: -20 });
    loss.afterStep();
    expect(Math.abs(loss.logitScale() - 100)).toBeLessThan(1e-4); // float32 rounding of ln 100
    expect(loss.logitBias()).toBe(-20);
    loss.dispose();
  });

  it('rejects a bad chunk size or bias', () => {
    expect(() => new SigLipLoss({ chunkSize: 0 })).toThrow(ClipkitError);
    expect(() => new SigLipLoss({ logitBias: Number.POSITIVE_INFINITY })).toThrow(/logitBias must be a finite number/);
  });

  it('releases both variables on dispose', () => {
    const before = tf.memory().numTensors;
    const loss = new SigLipLoss();
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
