import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostTensor, type LoadedClip, loadClip, type ModelLayout, readSafetensors, saveClipModel, WeightsError, writeSafetensors } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fixtureInputs, MODELS, PLUGINS, quiet } from './fixtures.js';

const temp = () => mkdtempSync(join(tmpdir(), 'clipkit-roundtrip-'));

/** Image and text embeddings and logits of a model on a fixture's inputs, on the host. */
async function outputsOf(loaded: LoadedClip, reference: string): Promise<Float32Array[]> {
  const { pixelValues, inputIds } = await fixtureInputs(reference);
  const images = await loaded.model.encodeImage(pixelValues);
  const texts = await loaded.model.encodeText(inputIds);
  const { logitsPerImage, logitsPerText } = loaded.model.logits(images, texts);
  const out = [images, texts, logitsPerImage, logitsPerText].map((t) => t.dataSync() as Float32Array);
  tf.dispose([pixelValues, inputIds, images, texts, logitsPerImage, logitsPerText]);
  return out;
}

const ROUND_TRIPS: readonly [string, ModelLayout][] = [
  ['vit-b-tiny-quickgelu', 'huggingface'],
  ['vit-b-tiny-quickgelu', 'open_clip'],
  ['vit-b-tiny-quickgelu', 'clipkit'],
  ['vit-b-tiny-gelu', 'huggingface'],
  ['rn-tiny', 'open_clip'],
  ['rn-tiny', 'clipkit'],
];

describe('saving and loading real towers', () => {
  it.each(ROUND_TRIPS)('%s saved in the %s layout loads back with identical outputs', async (model, layout) => {
    const original = await loadClip(`${MODELS}/${model}`, PLUGINS, quiet);
    const dir = temp();
    await saveClipModel(dir, layout, original.trainable(), original.config, PLUGINS);
    const reloaded = await loadClip(dir, PLUGINS, quiet);
    expect(reloaded.layout).toBe(layout);
    // Same weights, same backend: identical, not merely close.
    expect(await outputsOf(reloaded, model)).toEqual(await outputsOf(original, model));
    await Promise.all([original.dispose(), reloaded.dispose()]);
  });

  it('a checkpoint with one missing and one misshaped tensor fails naming both', async () => {
    const dir = temp();
    const fixture = `${MODELS}/vit-b-tiny-quickgelu`;
    copyFileSync(`${fixture}/open_clip_config.json`, join(dir, 'open_clip_config.json'));
    const tensors = await readSafetensors(`${fixture}/model.safetensors`);
    tensors.delete('visual.ln_post.bias');
    const proj = tensors.get('visual.proj')!;
    tensors.set('visual.proj', { ...proj, shape: [proj.shape[1], proj.shape[0]] } satisfies HostTensor);
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    const before = tf.memory().numTensors;
    const error = await loadClip(dir, PLUGINS, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    const message = (error as Error).message;
    expect(message).toContain(join(dir, 'model.safetensors'));
    expect(message).toMatch(/missing: "visual\.ln_post\.bias", expected shape \[128\]/);
    expect(message).toMatch(/misshaped: "visual\.proj": the model expects \[128, 64\], the file has \[64, 128\]/);
    expect(message).toMatch(/2 problems/);
    // The failed load disposed the towers it had built.
    expect(tf.memory().numTensors).toBe(before);
  });
});
