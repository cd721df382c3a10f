import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, loadClip, readSafetensors, toInt32 } from '@clipkit/core';
import { loadClipTokenizer } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, MODELS, PLUGINS, parityError, readReference } from '../testing/fixtures.js';
import { exportOnnxModel } from './export-onnx-model.js';

// A whole model directory exported and loaded back with loadClip and no overrides: both towers on
// onnxruntime, the logit scale and tokenizer from the exported files. Reference outputs at 1e-4 x max(1, max|ref|).

const quiet = { log: () => undefined };

describe.each(FIXTURE_MODELS)('exportOnnxModel(%s)', (dir, referenceDir) => {
  const out = mkdtempSync(join(tmpdir(), 'clipkit-export-onnx-'));
  let files: string[];

  beforeAll(async () => {
    files = await exportOnnxModel(`${MODELS}/${dir}`, out, PLUGINS);
  });

  it('writes the towers, the logit scale, the tokenizer, the preprocessor config and clipkit.json (last)', () => {
    expect(files.map((f) => f.slice(out.length + 1))).toEqual([
      'vision.onnx',
      'text.onnx',
      'model.safetensors',
      'vocab.json',
      'merges.txt',
      'preprocessor_config.json',
      'clipkit.json',
    ]);
    const config = JSON.parse(readFileSync(join(out, 'clipkit.json'), 'utf8'));
    expect(config.backend).toEqual({ type: 'onnxruntime', threads: null, graphOptimization: 'all' });
    expect(config.tokenizer).toEqual({ type: 'clip-bpe', path: '.' });
  });

  it('loads with loadClip and no options, and reproduces the reference embeddings and logits', async () => {
    const loaded = await loadClip(out, PLUGINS, quiet);
    expect(loaded.layout).toBe('clipkit');
    const reference = await readReference(referenceDir);
    const pixels = tf.tensor4d(reference.pixelValues.data as Float32Array, reference.pixelValues.shape as [number, number, number, number]);
    const ids = tf.tensor2d(toInt32(reference.inputIds, 'input_ids'), [4, 77], 'int32');
    const imageEmbeds = await loaded.model.encodeImage(pixels);
    const textEmbeds = await loaded.model.encodeText(ids);
    const { logitsPerImage } = loaded.model.logits(imageEmbeds, textEmbeds);
    for (const [name, tensor] of [
      ['image_embeds', imageEmbeds],
      ['text_embeds', textEmbeds],
      ['logits_per_image', logitsPerImage],
    ] as const) {
      const { error, bound } = parityError(tensor.dataSync(), reference.outputs.get(name)!.data as Float32Array);
      expect(error, name).toBeLessThanOrEqual(bound);
    }
    tf.dispose([pixels, ids, imageEmbeds, textEmbeds, logitsPerImage]);
    await loaded.dispose();
  });

  it("keeps only the logit scale in model.safetensors, and a tokenizer equal to the model's (OpenAI's here)", async () => {
    expect([...(await readSafetensors(join(out, 'model.safetensors'))).keys()]).toEqual(['logit_scale']);
    const text = 'a photo of a cat, 2 dogs & an émigré';
    expect(loadClipTokenizer(out).tokenize([text], { contextLength: 77 })).toEqual(loadClipTokenizer().tokenize([text], { contextLength: 77 }));
  });
});

describe('exportOnnxModel', () => {
  it("copies a Hugging Face model's preprocessor_config.json as it is", async () => {
    const out = mkdtempSync(join(tmpdir(), 'clipkit-export-onnx-'));
    await exportOnnxModel(`${MODELS}/hf/vit-b-tiny-quickgelu`, out, PLUGINS);
    expect(readFileSync(join(out, 'preprocessor_config.json'), 'utf8')).toBe(readFileSync(`${MODELS}/hf/vit-b-tiny-quickgelu/preprocessor_config.json`, 'utf8'));
  });

  it('refuses to export an export, and to write into the model directory', async () => {
    const out = mkdtempSync(join(tmpdir(), 'clipkit-export-onnx-'));
    await exportOnnxModel(`${MODELS}/rn-tiny`, out, PLUGINS);
    await expect(exportOnnxModel(out, join(out, 'again'), PLUGINS)).rejects.toThrow(/is already an ONNX export/);
    const copy = mkdtempSync(join(tmpdir(), 'clipkit-model-'));
    cpSync(`${MODELS}/rn-tiny`, copy, { recursive: true });
    await expect(exportOnnxModel(copy, copy, PLUGINS)).rejects.toThrow(ClipkitError);
    // Also when --out is a symbolic link to it.
    const link = `${copy}-link`;
    symlinkSync(copy, link);
    await expect(exportOnnxModel(copy, link, PLUGINS)).rejects.toThrow(/is the model directory itself/);
    expect(existsSync(join(copy, 'vision.onnx'))).toBe(false);
  });
});

describe('an Optimum-layout directory (config.json + onnx/vision_model.onnx + onnx/text_model.onnx)', () => {
  it('loads with backend onnxruntime and runs the towers it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-optimum-'));
    mkdirSync(join(dir, 'onnx'));
    cpSync(`${MODELS}/hf/vit-b-tiny-quickgelu/config.json`, join(dir, 'config.json'));
    cpSync(`${MODELS}/onnx/vision.onnx`, join(dir, 'onnx/vision_model.onnx'));
    cpSync(`${MODELS}/onnx/text.onnx`, join(dir, 'onnx/text_model.onnx'));
    const loaded = await loadClip(dir, PLUGINS, { ...quiet, backend: { type: 'onnxruntime' } });
    const reference = await readReference('vit-b-tiny-quickgelu');
    const ids = tf.tensor2d(toInt32(reference.inputIds, 'input_ids'), [4, 77], 'int32');
    const textEmbeds = await loaded.model.encodeText(ids);
    const { error, bound } = parityError(textEmbeds.dataSync(), reference.outputs.get('text_embeds')!.data as Float32Array);
    expect(error).toBeLessThanOrEqual(bound);
    tf.dispose([ids, textEmbeds]);
    await loaded.dispose();
  });
});
