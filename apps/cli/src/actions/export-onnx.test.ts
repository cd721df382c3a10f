import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openModel } from '../inference/open-model.js';
import { exportOnnx } from './export-onnx.js';

// `clipkit export-onnx --quantize int8 --dtype float16` end to end: the options reach the exporter, and the
// folder opens with openModel and embeds like the float32 export (cosine >= 0.99: int8, as the backend's
// own tests; its README says why).

const MODEL = `${process.env.CLIPKIT_SHARED}/fixtures/models/vit-b-tiny-quickgelu`;
const root = mkdtempSync(join(tmpdir(), 'clipkit-export-onnx-cli-'));
const out = { float32: join(root, 'float32'), small: join(root, 'int8-float16') };

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await exportOnnx({ model: MODEL, out: out.float32, dtype: 'float32' });
  await exportOnnx({ model: MODEL, out: out.small, quantize: 'int8', dtype: 'float16' });
  expect(console.log).toHaveBeenLastCalledWith(`exported ${MODEL} to ${out.small} (7 files, ONNX opset 17, int8+float16 weights)`);
  vi.restoreAllMocks();
});

async function embeddings(dir: string): Promise<Float32Array[]> {
  const inputs = await readSafetensors(`${MODEL}/inputs.safetensors`);
  const loaded = await openModel(dir, { log: () => undefined });
  const pixels = tf.tensor4d(inputs.get('pixel_values')!.data as Float32Array, [4, 3, 32, 32]);
  const ids = tf.tensor2d(Int32Array.from(inputs.get('input_ids')!.data as BigInt64Array, Number), [4, 77], 'int32');
  const embeds = [await loaded.model.encodeImage(pixels), await loaded.model.encodeText(ids)];
  const data = embeds.map((t) => t.dataSync() as Float32Array);
  tf.dispose([pixels, ids, ...embeds]);
  await loaded.dispose();
  return data;
}

describe('export-onnx --quantize int8 --dtype float16', () => {
  it('writes smaller towers than the float32 export', () => {
    for (const tower of ['vision.onnx', 'text.onnx']) expect(statSync(join(out.small, tower)).size).toBeLessThan(0.4 * statSync(join(out.float32, tower)).size);
  });

  it('opens as a model and embeds images and texts with cosine >= 0.99 to the float32 export', async () => {
    const [small, float32] = [await embeddings(out.small), await embeddings(out.float32)];
    for (const [tower, a] of small.entries()) {
      const b = float32[tower];
      for (let row = 0; row < 4; row++) {
        const [x, y] = [a.subarray(row * 64, (row + 1) * 64), b.subarray(row * 64, (row + 1) * 64)];
        const dot = (u: Float32Array, v: Float32Array) => u.reduce((s, value, i) => s + value * v[i], 0);
        expect(dot(x, y) / Math.sqrt(dot(x, x) * dot(y, y))).toBeGreaterThanOrEqual(0.99);
      }
    }
  });
});
