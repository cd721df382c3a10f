import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageEncoder, TextEncoder } from '../components/encoders.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { ClipkitError } from '../errors.js';
import { ClipModel } from './clip-model.js';

const TOLERANCE = 1e-6; // float32 arithmetic on a handful of small numbers

/** Image embedding = the per-channel means [N, 3]; records the batch sizes it was called with. */
class MeanImageEncoder implements ImageEncoder {
  readonly imageSize = 2;
  readonly embedDim = 3;
  readonly calls: number[] = [];
  async encode(pixelValues: tf.Tensor4D): Promise<tf.Tensor2D> {
    this.calls.push(pixelValues.shape[0]);
    return tf.mean(pixelValues, [2, 3]) as tf.Tensor2D;
  }
  dispose(): void {}
}

/** Text embedding = the first three token ids as floats [N, 3]. */
class FirstIdsTextEncoder implements TextEncoder {
  readonly contextLength = 4;
  readonly embedDim = 3;
  readonly calls: number[] = [];
  async encode(inputIds: tf.Tensor2D): Promise<tf.Tensor2D> {
    this.calls.push(inputIds.shape[0]);
    expect(inputIds.dtype).toBe('int32');
    return tf.tidy(() => tf.cast(tf.slice(inputIds, [0, 0], [-1, 3]), 'float32'));
  }
  dispose(): void {}
}

/** A tokenizer whose ids are given per text: "a b" -> [start, ids...]. */
function tableTokenizer(table: Record<string, number[]>, vocabSize = 10): Tokenizer {
  return {
    vocabSize,
    startOfTextId: 0,
    endOfTextId: 9,
    encode: (text) => table[text],
    decode: () => '',
    tokenize: (texts, options) => {
      const context = options?.contextLength ?? 77;
      const out = new Int32Array(texts.length * context);
      for (const [i, text] of texts.entries()) out.set(table[text].slice(0, context), i * context);
      return out;
    },
  };
}

function model(options: { logitScale?: number; logitBias?: number | null; textVocabSize?: number } = {}) {
  const image = new MeanImageEncoder();
  const text = new FirstIdsTextEncoder();
  return { image, text, clip: new ClipModel(image, text, { logitScale: options.logitScale ?? 10, ...options }) };
}

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ClipModel', () => {
  it('encodes any number of images in batches, with the same result as one batch', async () => {
    const { image, clip } = model();
    const pixels = tf.tensor4d(
      Array.from({ length: 5 * 3 * 4 }, (_, i) => i),
      [5, 3, 2, 2],
    );
    const whole = await clip.encodeImage(pixels);
    const batched = await clip.encodeImage(pixels, { batchSize: 2 });
    expect(image.calls).toEqual([5, 2, 2, 1]);
    expect(batched.shape).toEqual([5, 3]);
    expect(values(batched)).toEqual(values(whole));
    // Hand-worked: image 0 channel 0 holds 0..3 (mean 1.5), channel 1 4..7 (5.5), channel 2 8..11 (9.5).
    expect(values(whole).slice(0, 3)).toEqual([1.5, 5.5, 9.5]);
    tf.dispose([pixels, whole, batched]);
  });

  it('returns [0, embedDim] for no inputs', async () => {
    const { clip } = model();
    const pixels = tf.zeros([0, 3, 2, 2]) as tf.Tensor4D;
    const embeds = await clip.encodeImage(pixels);
    expect(embeds.shape).toEqual([0, 3]);
    tf.dispose([pixels, embeds]);
  });

  it('rejects pixel values of the wrong size, naming the expected shape', async () => {
    const { clip } = model();
    const pixels = tf.zeros([1, 3, 4, 4]) as tf.Tensor4D;
    await expect(clip.encodeImage(pixels)).rejects.toThrow(/\[1, 3, 4, 4\].*expected \[N, 3, 2, 2\]/);
    pixels.dispose();
  });

  it('pads short token rows with zeros, casts float ids to int32, and batches texts', async () => {
    const { text, clip } = model();
    const ids = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]); // float32, length 2 < context 4
    const embeds = await clip.encodeText(ids, { batchSize: 2 });
    expect(text.calls).toEqual([2, 1]);
    expect(values(embeds)).toEqual([1, 2, 0, 3, 4, 0, 5, 6, 0]);
    tf.dispose([ids, embeds]);
    const tooLong = tf.zeros([1, 5], 'int32') as tf.Tensor2D;
    await expect(clip.encodeText(tooLong)).rejects.toThrow(/L <= 4/);
    tooLong.dispose();
  });

  it("pads short token rows with the tokenizer's pad id when given one (SigLIP's 1), and refuses a pad id that is no token id", async () => {
    const { clip } = model();
    const ids = tf.tensor2d([[7], [8]], [2, 1], 'int32'); // length 1 < context 4
    const before = tf.memory().numTensors;
    const embeds = await clip.encodeText(ids, { padId: 1 });
    expect(values(embeds)).toEqual([7, 1, 1, 8, 1, 1]);
    embeds.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(clip.encodeText(ids, { padId: -1 })).rejects.toThrow('padId must be a token id (an integer >= 0), got -1');
    ids.dispose();
  });

  it('computes exp(t) x cosine similarities (hand-worked), the transpose, and the SigLIP bias', () => {
    const images = tf.tensor2d([
      [3, 4, 0],
      [0, 0, 5],
    ]);
    const texts = tf.tensor2d([
      [1, 0, 0],
      [0, 0, 2],
      [0, 1, 0],
    ]);
    const { clip } = model({ logitScale: 10 });
    const { logitsPerImage, logitsPerText } = clip.logits(images, texts);
    // cos([3,4,0], ·) = 0.6, 0, 0.8; cos([0,0,5], ·) = 0, 1, 0.
    const expected = [6, 0, 8, 0, 10, 0];
    for (const [i, v] of values(logitsPerImage).entries()) expect(v).toBeCloseTo(expected[i], 5);
    expect(logitsPerText.shape).toEqual([3, 2]);
    expect(values(logitsPerText)).toEqual(values(tf.transpose(logitsPerImage)));
    const biased = model({ logitScale: 10, logitBias: -2 }).clip.logits(images, texts);
    for (const [i, v] of values(biased.logitsPerImage).entries()) expect(v).toBeCloseTo(expected[i] - 2, 5);
    tf.dispose([images, texts, logitsPerImage, logitsPerText, biased.logitsPerImage, biased.logitsPerText]);
  });

  it('builds a zero-shot classifier: normalise each prompt, average, normalise again', async () => {
    // "cat" prompts embed to [3,4,0] and [0,0,7]; "dog" prompts to [1,0,0] and [0,2,0].
    const tokenizer = tableTokenizer({ 'a cat': [3, 4, 0], 'the cat': [0, 0, 7], 'a dog': [1, 0, 0], 'the dog': [0, 2, 0] });
    const { clip } = model();
    const weights = await clip.zeroShotClassifier(tokenizer, ['cat', 'dog'], ['a {}', (c) => `the ${c}`]);
    // cat: mean([0.6,0.8,0], [0,0,1]) = [0.3,0.4,0.5], norm sqrt(0.5); dog: mean([1,0,0],[0,1,0]) = [0.5,0.5,0].
    const cat = [0.3, 0.4, 0.5].map((v) => v / Math.sqrt(0.5));
    const dog = [1, 1, 0].map((v) => v / Math.SQRT2);
    const got = values(weights);
    for (const [i, v] of [...cat, ...dog].entries()) expect(Math.abs(got[i] - v)).toBeLessThan(TOLERANCE);
    // One class per text batch gives the same weights.
    const chunked = await clip.zeroShotClassifier(tokenizer, ['cat', 'dog'], ['a {}', (c) => `the ${c}`], { batchSize: 1 });
    for (const [i, v] of values(chunked).entries()) expect(Math.abs(v - got[i])).toBeLessThan(TOLERANCE);
    tf.dispose([weights, chunked]);
  });

  it('rejects a template without {} and a tokenizer larger than the text vocabulary', async () => {
    const tokenizer = tableTokenizer({ cat: [1, 1, 1] }, 49408);
    await expect(model().clip.zeroShotClassifier(tokenizer, ['cat'], ['a photo'])).rejects.toThrow(/no "\{\}"/);
    await expect(model({ textVocabSize: 1000 }).clip.zeroShotClassifier(tokenizer, ['cat'], ['{}'])).rejects.toThrow(ClipkitError);
    await expect(model({ textVocabSize: 1000 }).clip.zeroShotClassifier(tokenizer, ['cat'], ['{}'])).rejects.toThrow(/49408 tokens but the text tower only 1000/);
  });

  it('classifies images: softmax over the scaled similarities with each class', async () => {
    const { clip } = model({ logitScale: 2 });
    // Image 0 has channel means [1, 0, 0], image 1 [0, 1, 0].
    const pixels = tf.tensor4d([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], [2, 3, 2, 2]);
    const classifier = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const probs = await clip.classify(pixels, classifier);
    const p = 1 / (1 + Math.exp(-2)); // softmax([2, 0])[0]
    for (const [i, v] of values(probs).entries()) expect(Math.abs(v - [p, 1 - p, 1 - p, p][i])).toBeLessThan(TOLERANCE);
    tf.dispose([pixels, classifier, probs]);
  });

  it('ranks candidates by cosine similarity and caps k at the number of candidates', () => {
    const { clip } = model();
    const queries = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 1],
    ]);
    const candidates = tf.tensor2d([
      [0, 5, 0],
      [2, 0, 0],
      [0, 1, 1],
      [1, 1, 0],
    ]);
    const { indices, scores } = clip.rank(queries, candidates, 10);
    expect(indices.shape).toEqual([2, 4]);
    expect(values(indices)).toEqual([1, 3, 0, 2, 2, 0, 3, 1]);
    expect(values(scores)[0]).toBeCloseTo(1, 6);
    expect(values(scores)[1]).toBeCloseTo(Math.SQRT1_2, 6);
    tf.dispose([queries, candidates, indices, scores]);
  });

  it('leaks no tensors across encode, logits, classifier, classify and rank', async () => {
    const { clip } = model();
    const tokenizer = tableTokenizer({ 'a cat': [1, 2, 3], 'a dog': [3, 2, 1] });
    const pixels = tf.randomNormal([5, 3, 2, 2]) as tf.Tensor4D;
    const ids = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      undefined,
      'int32',
    );
    const before = tf.memory().numTensors;
    const images = await clip.encodeImage(pixels, { batchSize: 2 });
    const texts = await clip.encodeText(ids, { batchSize: 2 });
    const { logitsPerImage, logitsPerText } = clip.logits(images, texts);
    const classifier = await clip.zeroShotClassifier(tokenizer, ['cat', 'dog'], ['a {}'], { batchSize: 1 });
    const probs = await clip.classify(pixels, classifier, { batchSize: 2 });
    const { indices, scores } = clip.rank(images, texts, 2);
    // Exactly the returned tensors remain.
    expect(tf.memory().numTensors).toBe(before + 8);
    tf.dispose([images, texts, logitsPerImage, logitsPerText, classifier, probs, indices, scores]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, ids]);
  });

  it('refuses towers that embed into different widths', () => {
    const image = new MeanImageEncoder();
    const text: TextEncoder = { contextLength: 4, embedDim: 4, encode: async () => tf.zeros([0, 4]) as tf.Tensor2D, dispose: () => undefined };
    expect(() => new ClipModel(image, text, { logitScale: 1 })).toThrow(/3 dimensions.*4/);
  });
});
