import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, readSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openModel } from '../inference/open-model.js';
import { embed } from './embed.js';
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

// `--quantize int8 --calibration-images DIR` on the rn-tiny ResNet fixture: calibrated on 4 of the preprocess
// fixture's 8 photos (fixtures/preprocess), the whole trunk becomes static int8 (rn-tiny: 22 Conv + 5 Add + 7
// AveragePool = 34 nodes, see quantize-static-int8.test.ts) and the folder embeds the 8 photos (4 calibrated on,
// 4 not) like the float32 export. Tolerance 0.95: that random fixture's convolutions lose more to int8 than a trained model's (the backend's
// test says why and what it measured).
describe('export-onnx --quantize int8 --calibration-images', () => {
  const RESNET = `${process.env.CLIPKIT_SHARED}/fixtures/models/rn-tiny`;
  const PHOTOS = `${process.env.CLIPKIT_SHARED}/fixtures/preprocess`;
  const dirs = { float32: join(root, 'rn-float32'), static: join(root, 'rn-static') };

  /** `clipkit embed --images PHOTOS` with the exported folder: the 8 photos' image embeddings [8, 64]. */
  async function imageEmbeddings(dir: string): Promise<Float32Array> {
    const out = join(dir, 'photos.safetensors');
    await embed({ model: dir, images: [PHOTOS], out, batchSize: 8 });
    return (await readSafetensors(out)).get('image_embeds')!.data as Float32Array;
  }

  it('quantises the convolution trunk statically and embeds with cosine >= 0.95 to the float32 export', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await exportOnnx({ model: RESNET, out: dirs.float32, dtype: 'float32' });
    await exportOnnx({ model: RESNET, out: dirs.static, quantize: 'int8', dtype: 'float32', calibrationImages: PHOTOS, calibrationCount: 4 });
    const lines = log.mock.calls.map((call) => String(call[0]));
    expect(lines).toContain(`calibrating the convolutions on 4 images of ${PHOTOS}`);
    expect(lines).toContain(`${join(dirs.static, 'vision.onnx')}: 34 convolution-trunk nodes int8 (static, calibrated on 4 inputs)`);
    expect(lines.at(-1)).toBe(`exported ${RESNET} to ${dirs.static} (7 files, ONNX opset 17, int8-static weights)`);
    const [a, b] = [await imageEmbeddings(dirs.static), await imageEmbeddings(dirs.float32)];
    expect(a).toHaveLength(8 * 64);
    for (let row = 0; row < 8; row++) {
      const [x, y] = [a.subarray(row * 64, (row + 1) * 64), b.subarray(row * 64, (row + 1) * 64)];
      const dot = (u: Float32Array, v: Float32Array) => u.reduce((s, value, i) => s + value * v[i], 0);
      expect(dot(x, y) / Math.sqrt(dot(x, x) * dot(y, y))).toBeGreaterThanOrEqual(0.95);
    }
    vi.restoreAllMocks();
  });

  it('refuses a calibration folder with no images, naming it, and writes nothing', async () => {
    const empty = mkdtempSync(join(root, 'no-images-'));
    const out = join(root, 'never-written');
    await expect(exportOnnx({ model: RESNET, out, quantize: 'int8', dtype: 'float32', calibrationImages: empty })).rejects.toThrow(
      new ClipkitError(`folder ${empty} holds no .png, .jpg, .jpeg or .webp images`),
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --calibration-images without --quantize int8', async () => {
    const out = join(root, 'never-written-2');
    await expect(exportOnnx({ model: RESNET, out, dtype: 'float32', calibrationImages: PHOTOS })).rejects.toThrow(/calibration is for int8 convolutions; add --quantize int8/);
    expect(existsSync(out)).toBe(false);
  });
});
