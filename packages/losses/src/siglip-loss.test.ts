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

  it('is the stateless "siglip" loss: it needs the bias and holds only its chunk size', () => {
    const loss = new SigLipLoss();
    expect([loss.type, loss.needsBias, loss.chunkSize]).toEqual(['siglip', true, null]);
    expect(new SigLipLoss({ chunkSize: 16 }).chunkSize).toBe(16);
  });

  // Tolerance: the fixtures' |a - ref| <= 1e-5 + 1e-4 |ref|. The model holds t' = ln(s) and passes exp(t'), so dL/dt' = dL/ds x s.
  describe.each([null, 5])('chunkSize %s', (chunkSize) => {
    it.each(CASES.map((c) => [c.name, c] as const))(
      "computes open_clip SigLipLoss from the model's exp(t') and b, with dL/dt', dL/db and the features' gradients, on %s",
      (_, c) => {
        const scale = c.tensors.get('logit_scale')!.data[0];
        const t = tf.variable(tf.scalar(Math.log(scale)));
        const b = tf.variable(tf.scalar(c.tensors.get('logit_bias')!.data[0]));
        const [image, text] = ['image_features', 'text_features'].map((n) => tf.variable(fixtureTensor(c, n))) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R2>];
        const loss = new SigLipLoss({ chunkSize });
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(() => loss.compute(image, text, tf.exp(t) as tf.Scalar, b), [t, b, image, text]);
        expectClose(value, c.tensors.get('siglip_loss')!.data, 'siglip_loss');
        expectClose(grads[t.name], [c.tensors.get('siglip_grad_logit_scale')!.data[0] * scale], "dL/dt'");
        expectClose(grads[b.name], c.tensors.get('siglip_grad_logit_bias')!.data, 'dL/db');
        expectClose(grads[image.name], c.tensors.get('siglip_grad_image_features')!.data, 'dL/dimage');
        expectClose(grads[text.name], c.tensors.get('siglip_grad_text_features')!.data, 'dL/dtext');
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([t, b, image, text]);
      },
    );
  });

  it('refuses a model without a bias, naming the field to set, and a bad chunk size', () => {
    const features = tf.tensor2d([[1, 0]]);
    const scale = tf.scalar(10);
    expect(() => new SigLipLoss().compute(features, features, scale, null)).toThrow(ClipkitError);
    expect(() => new SigLipLoss().compute(features, features, scale, null)).toThrow(/needs the logit bias of the model; set model\.logitBias/);
    expect(() => new SigLipLoss({ chunkSize: 0 })).toThrow(/chunkSize must be a positive integer/);
    tf.dispose([features, scale]);
  });
});
