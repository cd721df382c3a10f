import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTorchCheckpoint } from '@clipkit/checkpoints';
import { type HostTensor, loadClip, readSafetensors, toInt32, writeSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PLUGINS, parityError, quiet } from './fixtures.js';

// The names, dtypes and values read from OpenAI-style TorchScript archives, checked end to end: the tensors are
// saved as model.safetensors beside an open_clip config written from the folder's README, loaded into clipkit's
// CLIP, and run on the folder's inputs. A wrong name, a float16 tensor decoded as something else or a
// misplaced view moves the outputs far past the fixtures' tolerance, max|a - ref| <= 1e-4 x max(1, max|ref|)
// (fixtures/checkpoints/README.md: the float16 weights alone move them by 12-29x that bound).
const CHECKPOINTS = `${process.env.CLIPKIT_SHARED}/fixtures/checkpoints`;
/** OpenAI's archives carry these three int64 scalars; build_model deletes them before loading (README). */
const NOT_WEIGHTS = ['input_resolution', 'context_length', 'vocab_size'];

/** open_clip configs of the READMEs' OpenAI CLIP(...) arguments (heads = width / 64, QuickGELU). */
const ARCHIVES = [
  {
    folder: 'openai-jit-vit',
    config: { embed_dim: 32, quick_gelu: true, vision_cfg: { image_size: 16, layers: 2, width: 64, patch_size: 8, head_width: 64 } },
  },
  {
    folder: 'openai-jit-rn',
    config: { embed_dim: 32, quick_gelu: true, vision_cfg: { image_size: 64, layers: [1, 2, 1, 1], width: 4, patch_size: null, head_width: 64 } },
  },
];
const TEXT_CFG = { context_length: 77, vocab_size: 128, width: 64, heads: 1, layers: 1 };

describe('TorchScript archives reproduce their reference outputs', () => {
  it.each(ARCHIVES)('$folder/model.pt', async ({ folder, config }) => {
    const dir = mkdtempSync(join(tmpdir(), `clipkit-${folder}-`));
    const checkpoint = await openTorchCheckpoint(`${CHECKPOINTS}/${folder}/model.pt`);
    const weights: Record<string, HostTensor> = {};
    for (const name of checkpoint.entries.keys()) if (!NOT_WEIGHTS.includes(name)) weights[name] = await checkpoint.read(name);
    await checkpoint.close();
    await writeSafetensors(join(dir, 'model.safetensors'), weights);
    writeFileSync(join(dir, 'open_clip_config.json'), JSON.stringify({ ...config, text_cfg: TEXT_CFG }));

    const loaded = await loadClip(dir, PLUGINS, quiet);
    const inputs = await readSafetensors(`${CHECKPOINTS}/${folder}/inputs.safetensors`);
    const outputs = await readSafetensors(`${CHECKPOINTS}/${folder}/outputs.safetensors`);
    const before = tf.memory().numTensors;
    const pixels = inputs.get('pixel_values')!;
    const ids = inputs.get('input_ids')!;
    const pixelValues = tf.tensor4d(pixels.data as Float32Array, pixels.shape as [number, number, number, number]);
    const inputIds = tf.tensor2d(toInt32(ids, 'input_ids'), ids.shape as [number, number], 'int32');
    const imageEmbeds = await loaded.model.encodeImage(pixelValues);
    const textEmbeds = await loaded.model.encodeText(inputIds);
    const { logitsPerImage, logitsPerText } = loaded.model.logits(imageEmbeds, textEmbeds);
    const got = { image_embeds: imageEmbeds, text_embeds: textEmbeds, logits_per_image: logitsPerImage, logits_per_text: logitsPerText };
    for (const [name, tensor] of Object.entries(got)) {
      const { error, bound } = parityError(tensor.dataSync(), outputs.get(name)!);
      console.log(`${folder} ${name}: max|a - ref| / max(1, max|ref|) = ${(error / (bound / 1e-4)).toExponential(2)}`);
      expect(error, name).toBeLessThanOrEqual(bound);
    }
    tf.dispose([pixelValues, inputIds, ...Object.values(got)]);
    expect(tf.memory().numTensors).toBe(before);
    await loaded.dispose();
  });
});
