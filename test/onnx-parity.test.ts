import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnxModel } from '@clipkit/backend-onnxruntime';
import { type HostTensor, type LoadedClip, loadClip, readSafetensors, toInt32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, MODELS, PLUGINS, parityError, quiet } from './clip/fixtures.js';

// Every fixture model exported by clipkit (export-onnx, written in TypeScript) and run in onnxruntime
// (graph optimisation "all", the export's default) against the reference outputs of OpenAI's
// clip/model.py and against the same model's tfjs towers, at batch 4, 5 and 1, within
// 1e-4 x max(1, max|ref|) (fixtures/README.md). Measured errors are printed for the record.
const measured: string[] = [];

afterAll(() => {
  console.log(`max|a - ref| / max(1, max|ref|) (onnxruntime export vs reference / vs tfjs ${tf.getBackend()}):\n${measured.join('\n')}`);
});

const BATCHES = [[0, 1, 2, 3], [3, 1, 0, 2, 1], [2]];

/** Rows of a [B, ...] tensor's values, in the given order. */
function rowsOf<T extends Float32Array | Int32Array>(data: T, rowSize: number, rows: readonly number[]): T {
  const out = new (data.constructor as new (length: number) => T)(rows.length * rowSize);
  for (const [i, row] of rows.entries()) out.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  return out;
}

const asReference = (data: Float32Array): HostTensor => ({ dtype: 'F32', shape: [data.length], data });

describe.each(FIXTURE_MODELS)('%s exported to ONNX', (dir, reference) => {
  let onnx: LoadedClip;
  let tfjs: LoadedClip;
  let pixels: HostTensor;
  let ids: Int32Array;
  let outputs: Map<string, HostTensor>;

  beforeAll(async () => {
    const exported = mkdtempSync(join(tmpdir(), 'clipkit-onnx-parity-'));
    await exportOnnxModel(`${MODELS}/${dir}`, exported, PLUGINS);
    tfjs = await loadClip(`${MODELS}/${dir}`, PLUGINS, quiet);
    onnx = await loadClip(exported, PLUGINS, quiet);
    const inputs = await readSafetensors(`${MODELS}/${reference}/inputs.safetensors`);
    pixels = inputs.get('pixel_values')!;
    ids = toInt32(inputs.get('input_ids')!, 'input_ids');
    outputs = await readSafetensors(`${MODELS}/${reference}/outputs.safetensors`);
  });

  afterAll(async () => {
    await onnx.dispose();
    await tfjs.dispose();
  });

  it.each(['image', 'text'] as const)('%s embeddings match the reference and the tfjs tower at batch 4, 5 and 1', async (tower) => {
    const name = tower === 'image' ? 'image_embeds' : 'text_embeds';
    const [, , height, width] = pixels.shape;
    const encode = async (loaded: LoadedClip, rows: readonly number[]) => {
      const input =
        tower === 'image'
          ? tf.tensor4d(rowsOf(pixels.data as Float32Array, 3 * height * width, rows), [rows.length, 3, height, width])
          : tf.tensor2d(rowsOf(ids, 77, rows), [rows.length, 77], 'int32');
      const embeds = tower === 'image' ? await loaded.model.encodeImage(input as tf.Tensor4D) : await loaded.model.encodeText(input as tf.Tensor2D);
      const values = embeds.dataSync() as Float32Array;
      tf.dispose([input, embeds]);
      return values;
    };
    for (const rows of BATCHES) {
      const fromOnnx = await encode(onnx, rows);
      const vsReference = parityError(fromOnnx, asReference(rowsOf(outputs.get(name)!.data as Float32Array, 64, rows)));
      const vsTfjs = parityError(fromOnnx, asReference(await encode(tfjs, rows)));
      measured.push(
        `  ${dir.padEnd(24)} ${name.padEnd(12)} batch ${rows.length}: ${(vsReference.error / (vsReference.bound / 1e-4)).toExponential(2)} / ${(vsTfjs.error / (vsTfjs.bound / 1e-4)).toExponential(2)}`,
      );
      expect(vsReference.error, `vs reference, batch ${rows.length}`).toBeLessThanOrEqual(vsReference.bound);
      expect(vsTfjs.error, `vs tfjs, batch ${rows.length}`).toBeLessThanOrEqual(vsTfjs.bound);
    }
  });

  it('logits match the reference (the exported logit scale)', async () => {
    const imageInput = tf.tensor4d(pixels.data as Float32Array, pixels.shape as [number, number, number, number]);
    const textInput = tf.tensor2d(ids, [4, 77], 'int32');
    const imageEmbeds = await onnx.model.encodeImage(imageInput);
    const textEmbeds = await onnx.model.encodeText(textInput);
    const { logitsPerImage, logitsPerText } = onnx.model.logits(imageEmbeds, textEmbeds);
    for (const [name, tensor] of [
      ['logits_per_image', logitsPerImage],
      ['logits_per_text', logitsPerText],
    ] as const) {
      const { error, bound } = parityError(tensor.dataSync(), outputs.get(name)!);
      expect(error, name).toBeLessThanOrEqual(bound);
    }
    tf.dispose([imageInput, textInput, imageEmbeds, textEmbeds, logitsPerImage, logitsPerText]);
  });
});
