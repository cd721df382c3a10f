import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tfjsBackendPlugin } from '@clipkit/backend-tfjs';
import { type ClipPlugin, type LoadedClip, loadClip } from '@clipkit/core';
import { vitPlugin } from '@clipkit/encoders-vit';
import { ClipImageTransform, decodeImage } from '@clipkit/images';
import { ClipTokenizer, clipBpeTokenizerPlugin, textTransformerPlugin, trainBpe } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipModelEmbedder } from './clip-model-embedder.js';
import { imageId } from './index/image-id.js';
import { ImageIndex } from './index/image-index.js';
import { modelDirectoryId } from './model-directory-id.js';
import { indexImages } from './pipeline/index-images.js';
import { ImageSearch } from './search/image-search.js';
import type { SearchEmbedder } from './search-embedder.js';
import { PAINTS, writeColourImage } from './testing/colour-images.js';
import { temporaryFolder, WORKER } from './testing/test-folders.test-support.js';

// The real model path: the fixture CLIP (open_clip layout, ViT, 32 px, embed 64) loaded as the CLI loads it.
const MODEL_DIR = `${process.env.CLIPKIT_SHARED}/fixtures/models/vit-b-tiny-quickgelu`;
const PLUGINS: readonly ClipPlugin[] = [tfjsBackendPlugin, clipBpeTokenizerPlugin, vitPlugin, textTransformerPlugin];
/** float32 through two routes (worker-prepared batches vs one image at a time) differ by rounding only. */
const TOLERANCE = 1e-5;

const tmp = temporaryFolder('clipkit-clip-embedder-');
let loaded: LoadedClip;
let transform: ClipImageTransform;
let embedder: SearchEmbedder;
// The fixture's text tower has 1000 tokens, too few for OpenAI's vocabulary: a vocabulary trained here fits.
const tokenizer = new ClipTokenizer(trainBpe(['a photo of a cat', 'a photo of a dog', 'something green', 'a red car', 'blue sky'], { vocabSize: 600 }));

beforeAll(async () => {
  loaded = await loadClip(MODEL_DIR, PLUGINS, { log: () => undefined });
  transform = ClipImageTransform.forImageSize(loaded.model.imageEncoder.imageSize);
  embedder = clipModelEmbedder({ model: loaded.model, tokenizer, preprocess: transform.options, modelId: await modelDirectoryId(loaded.directory), batchSize: 4 });
});

afterAll(async () => {
  await loaded.dispose();
});

/** The model's normalised embedding of one file, computed directly: decode, transform, encode, normalise. */
async function directEmbedding(file: string): Promise<Float32Array> {
  const pixels = tf.tensor4d(transform.transform(await decodeImage(file)), [1, 3, transform.height, transform.width]);
  const embeds = await loaded.model.encodeImage(pixels);
  const row = (await embeds.data()) as Float32Array;
  tf.dispose([pixels, embeds]);
  const norm = Math.hypot(...row);
  return row.map((x) => x / norm);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('clipModelEmbedder with the fixture model', () => {
  it('embeds normalised rows and frees every tensor it creates', async () => {
    const before = tf.memory().numTensors;
    const pixels = Float32Array.from({ length: 3 * 3 * 32 * 32 }, (_, i) => Math.sin(i)); // [3, 3, 32, 32]
    const images = await embedder.embedPixels(pixels, [3, 3, 32, 32]);
    const texts = await embedder.embedTexts(['a photo of a cat', 'a dog', 'red']);
    expect(tf.memory().numTensors).toBe(before);
    for (const rows of [images, texts]) {
      expect(rows).toHaveLength(3 * 64);
      for (let r = 0; r < 3; r++) expect(Math.hypot(...rows.subarray(r * 64, (r + 1) * 64))).toBeCloseTo(1, 5);
    }
    expect(embedder).toMatchObject({ embedDim: 64, logitScale: loaded.model.logitScale, logitBias: null });
  });

  it('indexes files through the worker pipeline to the embeddings the model gives each file directly', async () => {
    const root = join(tmp.path, 'photos');
    const names = Object.keys(PAINTS).map((name, i) => `${name}.${['png', 'jpg', 'webp'][i % 3]}`);
    for (const [i, name] of names.entries()) await writeColourImage(join(root, name), Object.values(PAINTS)[i], 50 + 7 * i, 40);
    const db = join(tmp.path, 'db');
    const report = await indexImages({ root, dbPath: db, embedder, modelRef: MODEL_DIR, batchSize: 3, workers: 2, progressBar: false, workerScript: WORKER });
    expect(report).toMatchObject({ added: names.length, rows: names.length, skipped: [] });

    const index = await ImageIndex.open(db);
    expect(index.model).toMatchObject({ id: embedder.modelId, embedDim: 64, ref: MODEL_DIR, preprocess: transform.options });
    const search = new ImageSearch(index, embedder);
    try {
      for (const name of names) {
        const row = (await index.row(imageId(name)))!;
        expect(maxDifference(row.vector, await directEmbedding(join(root, name)))).toBeLessThan(TOLERANCE);
      }
      // Searching with an indexed file finds that file, at cosine 1.
      const found = await search.byImage(join(root, names[4]), { k: 1 });
      expect(found[0].path).toBe(names[4]);
      expect(Math.abs(found[0].score - 1)).toBeLessThan(TOLERANCE);
      // Text search scores are the cosines of the model's text embedding with the stored rows.
      const ids = loaded.model.tokenize(tokenizer, ['a photo of something green']);
      const embeds = await loaded.model.encodeText(ids);
      const raw = (await embeds.data()) as Float32Array;
      tf.dispose([ids, embeds]);
      const text = raw.map((x) => x / Math.hypot(...raw));
      const results = await search.byText('a photo of something green', { k: names.length });
      for (const result of results) {
        const row = (await index.row(result.id))!;
        expect(Math.abs(result.score - row.vector.reduce((sum, x, i) => sum + x * text[i], 0))).toBeLessThan(TOLERANCE);
      }
      expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    } finally {
      search.close();
    }
  });
});

describe('modelDirectoryId', () => {
  it('is the same for a copy of the directory and changes when a model file changes', async () => {
    const copy = join(tmp.path, 'model');
    await cp(MODEL_DIR, copy, { recursive: true });
    const original = await modelDirectoryId(loaded.directory);
    const dirOf = (dir: string) => ({ dir, configFile: join(dir, 'open_clip_config.json'), weightsFile: join(dir, 'model.safetensors') });
    expect(await modelDirectoryId(dirOf(copy))).toBe(original);
    await writeFile(join(copy, 'README.md'), 'notes do not change the model');
    expect(await modelDirectoryId(dirOf(copy))).toBe(original);
    await writeFile(join(copy, 'preprocessor_config.json'), '{"crop_size": 32}');
    expect(await modelDirectoryId(dirOf(copy))).not.toBe(original);
    expect(await readdir(copy)).toContain('preprocessor_config.json');
  });
});
