import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plugins as tfjsPlugins } from '@clipkit/backend-tfjs';
import {
  type AnyClipPlugin,
  contrastiveGradients,
  type LoadedClip,
  LogitParameters,
  loadClip,
  readSafetensors,
  SafetensorsFile,
  saveClipModel,
  WeightsError,
  writeSafetensors,
} from '@clipkit/core';
import { SigLipLoss } from '@clipkit/losses';
import { plugins as tokenizerPlugins } from '@clipkit/tokenizer-sentencepiece';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadSiglipTiny, SIGLIP_TINY, type SiglipTinyFixture, TOLERANCE } from './siglip-fixture.test-support.js';
import { plugins as siglipPlugins } from './siglip-plugins.js';

// Truth: transformers' SiglipModel on siglip-tiny (its outputs, logit_scale and logit_bias, its tokenizer's
// input_ids) and, for the round trips, the loaded model itself.

const PLUGINS: readonly AnyClipPlugin[] = [...tfjsPlugins, ...siglipPlugins, ...tokenizerPlugins];
const root = mkdtempSync(join(tmpdir(), 'clipkit-siglip-model-'));
const report: string[] = [];
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  console.log(`siglip-tiny through loadClip, max|err| / max(1, max|ref|) (bound 2e-5):\n${report.join('\n')}`);
});

const load = (dir: string, device: 'blas' | 'wasm') => loadClip(dir, PLUGINS, { backend: { type: 'tfjs', device }, log: () => undefined });

/** The embeddings and logits of the fixture's inputs, as host arrays. */
async function outputsOf(loaded: LoadedClip, fixture: SiglipTinyFixture): Promise<Float32Array[]> {
  const image = await loaded.model.encodeImage(fixture.pixels);
  const text = await loaded.model.encodeText(fixture.ids);
  const { logitsPerImage, logitsPerText } = loaded.model.logits(image, text);
  const out = [image, text, logitsPerImage].map((t) => t.dataSync() as Float32Array);
  tf.dispose([image, text, logitsPerImage, logitsPerText]);
  return out;
}

/** A copy of siglip-tiny with model.safetensors rewritten by `edit` (name -> tensor). */
async function mutatedCopy(name: string, edit: (tensors: Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>) => void): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of readdirSync(SIGLIP_TINY)) if (file !== 'model.safetensors') copyFileSync(join(SIGLIP_TINY, file), join(dir, file));
  const tensors = new Map(
    [...(await readSafetensors(`${SIGLIP_TINY}/model.safetensors`))].map(([n, t]) => [n, { dtype: 'F32' as const, shape: [...t.shape], data: t.data as Float32Array }]),
  );
  edit(tensors);
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  return dir;
}

describe.each(['blas', 'wasm'] as const)('a Hugging Face SigLIP folder through loadClip (siglip-tiny on %s)', (device) => {
  let fixture: SiglipTinyFixture;
  let loaded: LoadedClip;

  beforeAll(async () => {
    fixture = await loadSiglipTiny();
    loaded = await load(SIGLIP_TINY, device);
    return async () => {
      await loaded.dispose();
      fixture.dispose();
    };
  });

  it("loads as the Hugging Face layout with SigLIP's towers, tokenizer, logit scale and bias", () => {
    expect(loaded.layout).toBe('huggingface');
    expect([loaded.config.model.vision.type, loaded.config.model.text.type, loaded.config.tokenizer.type]).toEqual(['siglip', 'siglip', 'siglip']);
    // README: logit_scale 2.212503 (exp = 9.1386), logit_bias -2.033757.
    expect(loaded.model.logitScale).toBeCloseTo(9.1386, 4);
    expect(loaded.model.logitBias).toBeCloseTo(-2.033757, 6);
  });

  it('tokenizes the texts into the input_ids transformers made, through the tokenizer plug-in', async () => {
    const file = await SafetensorsFile.open(`${SIGLIP_TINY}/inputs.safetensors`);
    const texts = JSON.parse(file.metadata.texts) as string[];
    await file.close();
    const ids = loaded.model.tokenize(loaded.tokenizer, texts);
    expect(ids.arraySync()).toEqual(fixture.ids.arraySync());
    ids.dispose();
  });

  it('gives image_embeds, text_embeds, logits_per_image and logits_per_text', async () => {
    const image = await loaded.model.encodeImage(fixture.pixels);
    const text = await loaded.model.encodeText(fixture.ids);
    const { logitsPerImage, logitsPerText } = loaded.model.logits(image, text);
    for (const [tensor, name] of [
      [image, 'image_embeds'],
      [text, 'text_embeds'],
      [logitsPerImage, 'logits_per_image'],
      [logitsPerText, 'logits_per_text'],
    ] as const)
      report.push(`  ${device} ${name} ${expectClose(tensor, fixture.outputs.get(name)!, name).toExponential(2)}`);
    // Scores are sigmoid(logits): each label's independent match probability.
    const scores = await loaded.model.classify(fixture.pixels, text);
    expect(tf.max(tf.abs(tf.sub(scores, tf.sigmoid(logitsPerImage)))).dataSync()[0]).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([image, text, logitsPerImage, logitsPerText, scores]);
  });

  it('pads ids cut short with the tokenizer\'s pad id, as transformers\' padding="max_length" rows, whose text_embeds they give', async () => {
    // Rows 0, 1, 3 and 4 hold only padding after column 9 (README: the eos of row 1 is at column 8); row 2 is full.
    const rows = [0, 1, 3, 4];
    const short = tf.tidy(() => tf.gather(tf.slice(fixture.ids, [0, 0], [-1, 9]), rows)) as tf.Tensor2D; // [4, 9]
    const all = fixture.outputs.get('text_embeds')!;
    const width = all.shape[1];
    const ref = { ...all, shape: [rows.length, width], data: Float32Array.from(rows.flatMap((r) => [...(all.data as Float32Array).subarray(r * width, (r + 1) * width)])) };
    expect(loaded.tokenizer.padId).toBe(1);
    const padded = await loaded.model.encodeText(short, { padId: loaded.tokenizer.padId });
    report.push(`  ${device} text_embeds of rows padded by encodeText ${expectClose(padded, ref, 'text_embeds').toExponential(2)}`);
    // Zero padding (CLIP's) is another input to SigLIP's text tower, which attends to its padding.
    const zeros = await loaded.model.encodeText(short);
    expect(tf.max(tf.abs(tf.sub(zeros, padded))).dataSync()[0]).toBeGreaterThan(1e-2);
    tf.dispose([short, padded, zeros]);
  });

  it('saves in the Hugging Face layout, the tokenizer files beside the weights, and loads back with identical outputs', async () => {
    const dir = join(root, `saved-hf-${device}`);
    await saveClipModel(dir, 'huggingface', loaded.trainable(), loaded.config, PLUGINS);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'preprocessor_config.json', 'special_tokens_map.json', 'spiece.model', 'tokenizer_config.json']);
    const written = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    const original = await SafetensorsFile.open(`${SIGLIP_TINY}/model.safetensors`);
    expect([...written.names].sort()).toEqual([...original.names].sort());
    await Promise.all([written.close(), original.close()]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ architectures: ['SiglipModel'], model_type: 'siglip' });
    const reloaded = await load(dir, device);
    expect(reloaded.config.model).toEqual(loaded.config.model);
    expect(await outputsOf(reloaded, fixture)).toEqual(await outputsOf(loaded, fixture));
    await reloaded.dispose();
  });

  it("round-trips through clipkit's own layout too", async () => {
    const dir = join(root, `saved-clipkit-${device}`);
    await saveClipModel(dir, 'clipkit', loaded.trainable(), loaded.config, PLUGINS);
    const reloaded = await load(dir, device);
    expect(reloaded.layout).toBe('clipkit');
    expect(await outputsOf(reloaded, fixture)).toEqual(await outputsOf(loaded, fixture));
    await reloaded.dispose();
  });

  it('trains with the sigmoid loss: gradients reach every weight and the logit bias, and nothing leaks', () => {
    const trainable = loaded.trainable();
    const logits = new LogitParameters(Math.log(trainable.logitScale), trainable.logitBias);
    const parts = { image: trainable.imageEncoder, text: trainable.textEncoder, logits };
    const before = tf.memory().numTensors;
    const { loss, grads } = contrastiveGradients(parts, new SigLipLoss(), fixture.pixels, fixture.ids);
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    const names = [...grads.keys()];
    expect(names).toContain('logit_bias');
    expect(names).toContain('visual.head.probe');
    expect(names).toContain('head.weight'); // the text tower's names are top-level in clipkit's state dict
    for (const [name, g] of grads) expect(g.dataSync().every(Number.isFinite), name).toBe(true);
    expect(Math.abs(grads.get('logit_bias')!.dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([...grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });
});

describe('a malformed SigLIP folder', () => {
  it('with a missing tensor and a misshaped one fails with one WeightsError naming both', async () => {
    const dir = await mutatedCopy('malformed', (tensors) => {
      tensors.delete('vision_model.head.probe');
      const fc1 = tensors.get('text_model.encoder.layers.1.mlp.fc1.weight')!;
      tensors.set('text_model.encoder.layers.1.mlp.fc1.weight', { ...fc1, shape: [64, 128], data: fc1.data });
    });
    const error = await load(dir, 'wasm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    const message = (error as Error).message;
    expect(message).toContain('(2 problems)');
    expect(message).toContain('missing: "vision_model.head.probe" (for "visual.head.probe"), expected shape [1, 1, 64]');
    expect(message).toContain(
      'misshaped: "text_model.encoder.layers.1.mlp.fc1.weight" (for "encoder.layers.1.mlp.fc1.weight"): the model expects [128, 64], the file has [64, 128]',
    );
  });

  it('without logit_bias fails: a SiglipModel has one', async () => {
    const dir = await mutatedCopy('no-bias', (tensors) => tensors.delete('logit_bias'));
    await expect(load(dir, 'wasm')).rejects.toThrow(/missing: "logit_bias"/);
  });

  it('with a config the towers cannot run names the key', async () => {
    const dir = await mutatedCopy('bad-config', () => undefined);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vision_config: { ...config.vision_config, hidden_act: 'relu' } }));
    await expect(load(dir, 'wasm')).rejects.toThrow(/model\.vision_config\.hidden_act/);
  });
});
