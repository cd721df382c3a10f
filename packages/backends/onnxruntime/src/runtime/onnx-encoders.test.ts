import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS, parityError, pickRows, type Reference, readReference } from '../testing/fixtures.js';
import { OnnxImageEncoder } from './onnx-image-encoder.js';
import { OnnxRuntimeBackend } from './onnx-runtime-backend.js';
import { OnnxTextEncoder } from './onnx-text-encoder.js';
import { sessionOptions } from './session-options.js';

// The fixture's torch.onnx exports of vit-b-tiny-quickgelu (opset 14, ArgMax on int64 ids) through the
// encoders reproduce the reference outputs within 1e-4 x max(1, max|ref|) (fixtures/README.md).

const options = sessionOptions({ threads: 1, graphOptimization: 'all' });
let reference: Reference;

beforeAll(async () => {
  await new OnnxRuntimeBackend({ type: 'onnxruntime', threads: 1, graphOptimization: 'all' }).init(); // tfjs for the tensors
  reference = await readReference('vit-b-tiny-quickgelu');
});

const pixelsOf = (rows: number[]) => tf.tensor4d(pickRows(reference.pixelValues.data as Float32Array, 3 * 32 * 32, rows), [rows.length, 3, 32, 32]);
const idsOf = (rows: number[]) => tf.tensor2d(Int32Array.from(pickRows(reference.inputIds.data as BigInt64Array, 77, rows), Number), [rows.length, 77], 'int32');

describe('OnnxImageEncoder', () => {
  it('runs torch.onnx vision.onnx: reference image_embeds at batch 4, 5 and 1, no tensor leaked', async () => {
    const encoder = new OnnxImageEncoder(`${MODELS}/onnx/vision.onnx`, { imageSize: 32, embedDim: 64, sessionOptions: options });
    const expected = reference.outputs.get('image_embeds')!.data as Float32Array;
    for (const rows of [[0, 1, 2, 3], [3, 2, 1, 0, 3], [2]]) {
      const pixels = pixelsOf(rows);
      const before = tf.memory().numTensors;
      const embeds = await encoder.encode(pixels);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(embeds.shape).toEqual([rows.length, 64]);
      const { error, bound } = parityError(embeds.dataSync(), pickRows(expected, 64, rows));
      expect(error, `rows ${rows}`).toBeLessThanOrEqual(bound);
      tf.dispose([pixels, embeds]);
    }
    await encoder.dispose();
  });

  it('says what is wrong with misshaped pixels', async () => {
    const encoder = new OnnxImageEncoder(`${MODELS}/onnx/vision.onnx`, { imageSize: 32, embedDim: 64, sessionOptions: options });
    const pixels = tf.zeros([1, 3, 64, 64]) as tf.Tensor4D;
    await expect(encoder.encode(pixels)).rejects.toThrow(/shape \[1, 3, 64, 64\], expected \[N, 3, 32, 32\]/);
    pixels.dispose();
    await encoder.dispose();
  });

  it('checks the model against the config when it loads', async () => {
    const encoder = new OnnxImageEncoder(`${MODELS}/onnx/vision.onnx`, { imageSize: 224, embedDim: 64, sessionOptions: options });
    await expect(encoder.init()).rejects.toThrow(
      /"pixel_values" has shape \[batch, 3, 32, 32\], but the model config implies \[batch, 3, 224, 224\]; check model\.vision\.imageSize/,
    );
    await encoder.dispose();
  });
});

describe('OnnxTextEncoder', () => {
  it('runs torch.onnx text.onnx on int32 ids: reference text_embeds at batch 4, 5 and 1, no tensor leaked', async () => {
    const encoder = new OnnxTextEncoder(`${MODELS}/onnx/text.onnx`, { contextLength: 77, embedDim: 64, sessionOptions: options });
    const expected = reference.outputs.get('text_embeds')!.data as Float32Array;
    for (const rows of [[0, 1, 2, 3], [1, 1, 3, 2, 0], [3]]) {
      const ids = idsOf(rows);
      const before = tf.memory().numTensors;
      const embeds = await encoder.encode(ids);
      expect(tf.memory().numTensors).toBe(before + 1);
      const { error, bound } = parityError(embeds.dataSync(), pickRows(expected, 64, rows));
      expect(error, `rows ${rows}`).toBeLessThanOrEqual(bound);
      tf.dispose([ids, embeds]);
    }
    await encoder.dispose();
  });

  it('says what is wrong with ids of another length', async () => {
    const encoder = new OnnxTextEncoder(`${MODELS}/onnx/text.onnx`, { contextLength: 77, embedDim: 64, sessionOptions: options });
    const ids = tf.zeros([2, 10], 'int32') as tf.Tensor2D;
    await expect(encoder.encode(ids)).rejects.toThrow(/shape \[2, 10\], expected \[N, 77\]/);
    ids.dispose();
    await encoder.dispose();
  });
});
