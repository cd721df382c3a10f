import { initTfjs } from '@clipkit/backend-tfjs';
import type { ContrastiveLoss } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipLoss } from './clip-loss.js';
import { expectClose, fixtureTensor, loadLossCases } from './loss-fixtures.test-support.js';

const CASES = await loadLossCases();

describe('ClipLoss', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('is the stateless "clip" loss: no bias, nothing to dispose', () => {
    const loss = new ClipLoss();
    expect([loss.type, loss.needsBias]).toEqual(['clip', false]);
    expect(Object.keys(loss)).toEqual(['type', 'needsBias']);
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|. The model holds t = ln(s) and passes exp(t), so dL/dt = dL/ds x s.
  it.each(CASES.map((c) => [c.name, c] as const))("computes open_clip ClipLoss from the model's exp(t), with dL/dt and the features' gradients, on %s", (_, c) => {
    const scale = c.tensors.get('logit_scale')!.data[0];
    const t = tf.variable(tf.scalar(Math.log(scale)));
    const [image, text] = ['image_features', 'text_features'].map((n) => tf.variable(fixtureTensor(c, n))) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R2>];
    const bias = tf.scalar(-10); // given by a model with a bias; CLIP's loss ignores it
    const loss: ContrastiveLoss = new ClipLoss(); // as trainClip calls it, with the model's bias
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => loss.compute(image, text, tf.exp(t) as tf.Scalar, bias), [t, image, text]);
    expectClose(value, c.tensors.get('clip_loss')!.data, 'clip_loss');
    expectClose(grads[t.name], [c.tensors.get('clip_grad_logit_scale')!.data[0] * scale], 'dL/dt');
    expectClose(grads[image.name], c.tensors.get('clip_grad_image_features')!.data, 'dL/dimage');
    expectClose(grads[text.name], c.tensors.get('clip_grad_text_features')!.data, 'dL/dtext');
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, image, text, bias]);
  });
});
