import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTfjs } from '@clipkit/backend-tfjs';
import { writeSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInputIds, readPixelValues } from './input-tensors.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

beforeAll(async () => {
  await initTfjs({ device: 'cpu', log: () => undefined });
});

describe('readPixelValues and readInputIds', () => {
  it('read the fixture inputs: pixel_values F32 [4, 3, 32, 32] and input_ids I64 [4, 77] as int32', async () => {
    const file = `${MODELS}/vit-b-tiny-quickgelu/inputs.safetensors`;
    const pixels = await readPixelValues(file, 32);
    const ids = await readInputIds(file, 77);
    expect(pixels.shape).toEqual([4, 3, 32, 32]);
    expect(ids.dtype).toBe('int32');
    expect(ids.dataSync()[0]).toBe(998); // every fixture row starts with SOT 998
    tf.dispose([pixels, ids]);
  });

  it('name the file, the tensor and what the model takes', async () => {
    const file = `${MODELS}/rn-tiny/inputs.safetensors`;
    await expect(readPixelValues(file, 32)).rejects.toThrow(`${file}: tensor "pixel_values" is F32 [4, 3, 64, 64], but the model takes F32 [N, 3, 32, 32]`);
    await expect(readInputIds(file, 16)).rejects.toThrow(`${file}: tensor "input_ids" is I64 [4, 77], but the model takes I64 or I32 [N, L] token ids with L <= 16`);
    const other = join(mkdtempSync(join(tmpdir(), 'clipkit-inputs-')), 'x.safetensors');
    await writeSafetensors(other, { pixels: { dtype: 'F32', shape: [1], data: Float32Array.of(0) } });
    await expect(readPixelValues(other, 32)).rejects.toThrow(`${other}: --pixel-values needs a tensor named "pixel_values", but the file holds "pixels"`);
  });
});
