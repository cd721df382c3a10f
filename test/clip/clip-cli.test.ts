import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assembleClip,
  ClipModel,
  loadClip,
  parseClipConfig,
  readSafetensors,
  SafetensorsFile,
  saveClipModel,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
} from '@clipkit/core';
import { decodeImage, loadPreprocessorConfig } from '@clipkit/images';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLUGINS, quiet, runCli } from './fixtures.js';

// `clipkit zero-shot` and `clipkit embed` on images and texts, checked against the same computation through the
// API. The fixture models have a 1000-token vocabulary, too small for the real tokenizer, so these tests save a
// small random model with OpenAI's full vocabulary (and a 16-token context, enough for the prompts and cheaper).
const IMAGES = ['photo_640x480.png', 'portrait_300x500.png', 'gray_200x150.jpg'].map((f) => `${process.env.CLIPKIT_SHARED}/fixtures/preprocess/${f}`);
const LABELS = ['cat', 'dog', 'car'];
// Same code on the same backend; batches of another size may round differently (measured: 1.3e-6 on embeddings).
const TOLERANCE = 1e-5;
let modelDir: string;

beforeAll(async () => {
  const config = parseClipConfig(
    {
      model: {
        embedDim: 32,
        vision: { type: 'vit', imageSize: 32, patchSize: 16, width: 64, layers: 1 },
        text: { type: 'transformer', contextLength: 16, width: 32, heads: 2, layers: 1 },
      },
      train: { seed: 7 },
    },
    PLUGINS,
  );
  const assembly = assembleClip(config, PLUGINS, quiet);
  const model = new ClipModel(assembly.resolve(TRAINABLE_IMAGE_ENCODER), assembly.resolve(TRAINABLE_TEXT_ENCODER), { logitScale: Math.exp(config.model.logitScale) });
  modelDir = mkdtempSync(join(tmpdir(), 'clipkit-cli-model-'));
  await saveClipModel(modelDir, 'clipkit', model, config, PLUGINS);
  await assembly.dispose();
});

/** Class probabilities [images, labels] of the saved model through the API. */
async function apiProbabilities(templates: string[]): Promise<number[][]> {
  const loaded = await loadClip(modelDir, PLUGINS, quiet);
  const transform = await loadPreprocessorConfig(modelDir, 32);
  const { data, shape } = transform.toPixelValues(await Promise.all(IMAGES.map((f) => decodeImage(f))));
  const pixels = tf.tensor4d(data, shape);
  const classifier = await loaded.model.zeroShotClassifier(loaded.tokenizer, LABELS, templates);
  const probs = await loaded.model.classify(pixels, classifier);
  const rows = probs.arraySync() as number[][];
  tf.dispose([pixels, classifier, probs]);
  await loaded.dispose();
  return rows;
}

describe('clipkit zero-shot', () => {
  it("prints, with --json, each image with its labels by decreasing probability, as the API computes them (OpenAI's templates for a model without its own)", async () => {
    const run = runCli(['zero-shot', '--model', modelDir, '--labels', LABELS.join(','), '--top', '3', '--json', ...IMAGES]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const results = JSON.parse(run.stdout) as { image: string; predictions: { label: string; probability: number }[] }[];
    expect(results.map((r) => r.image)).toEqual(IMAGES);
    const { OPENAI_IMAGENET_TEMPLATES } = await import('@clipkit/core');
    const expected = await apiProbabilities([...OPENAI_IMAGENET_TEMPLATES]);
    results.forEach(({ predictions }, i) => {
      expect(predictions.map((p) => p.label).sort()).toEqual([...LABELS].sort());
      const probabilities = predictions.map((p) => p.probability);
      expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
      for (const { label, probability } of predictions) expect(Math.abs(probability - expected[i][LABELS.indexOf(label)])).toBeLessThan(TOLERANCE);
    });
  });

  it('prints a table of the top labels with --templates openai plus a --template of its own', async () => {
    const run = runCli(['zero-shot', '--model', modelDir, '--labels', LABELS.join(','), '--templates', 'openai', '--template', 'art of a {}!', '--top', '2', IMAGES[0]]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^image\s+label\s+probability$/);
    expect(lines).toHaveLength(3);
    const { OPENAI_IMAGENET_TEMPLATES } = await import('@clipkit/core');
    const [expected] = await apiProbabilities([...OPENAI_IMAGENET_TEMPLATES, 'art of a {}!']);
    const order = LABELS.map((label, i) => ({ label, p: expected[i] })).sort((a, b) => b.p - a.p);
    expect(lines[1]).toBe(`${IMAGES[0]}  ${order[0].label.padEnd(5)}  ${order[0].p.toFixed(4)}`);
    expect(lines[2]).toBe(`${''.padEnd(IMAGES[0].length)}  ${order[1].label.padEnd(5)}  ${order[1].p.toFixed(4)}`);
  });

  it('reports a template without {} in one line', () => {
    const run = runCli(['zero-shot', '--model', modelDir, '--labels', 'cat,dog', '--template', 'a photo', IMAGES[0]]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('clipkit: prompt template "a photo" has no "{}" where the class name goes; write e.g. "a photo of a {}."');
  });
});

describe('clipkit embed on images and texts', () => {
  it('writes image_embeds, text_embeds and logits as the API computes them, and the image order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-cli-embed-'));
    const texts = join(dir, 'texts.txt');
    writeFileSync(texts, 'a photo of a cat\na diagram\n\n');
    const out = join(dir, 'out', 'embeds.safetensors');
    const run = runCli(['embed', '--model', modelDir, '--images', `${process.env.CLIPKIT_SHARED}/fixtures/preprocess`, '--texts', texts, '--out', out, '--batch-size', '3']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const written = await readSafetensors(out);
    const file = await SafetensorsFile.open(out);
    const images = JSON.parse(file.metadata.images) as string[];
    await file.close();
    expect(images).toHaveLength(8); // every .png/.jpg of the folder, sorted
    expect(images).toEqual([...images].sort());
    expect(written.get('text_embeds')!.shape).toEqual([3, 32]); // the empty third line is a text too

    const loaded = await loadClip(modelDir, PLUGINS, quiet);
    const transform = await loadPreprocessorConfig(modelDir, 32);
    const { data, shape } = transform.toPixelValues(await Promise.all(images.map((f) => decodeImage(f))));
    const pixels = tf.tensor4d(data, shape);
    const ids = loaded.model.tokenize(loaded.tokenizer, ['a photo of a cat', 'a diagram', '']);
    const imageEmbeds = await loaded.model.encodeImage(pixels);
    const textEmbeds = await loaded.model.encodeText(ids);
    const { logitsPerImage, logitsPerText } = loaded.model.logits(imageEmbeds, textEmbeds);
    const expected = { image_embeds: imageEmbeds, text_embeds: textEmbeds, logits_per_image: logitsPerImage, logits_per_text: logitsPerText };
    for (const [name, tensor] of Object.entries(expected)) {
      const got = written.get(name)!;
      expect(got.shape, name).toEqual(tensor.shape);
      const want = tensor.dataSync();
      const scale = Math.max(1, ...want.map(Math.abs));
      for (const [i, v] of got.data.entries()) expect(Math.abs(Number(v) - want[i]), name).toBeLessThan(TOLERANCE * scale);
    }
    tf.dispose([pixels, ids, imageEmbeds, textEmbeds, logitsPerImage, logitsPerText]);
    await loaded.dispose();
  });
});
