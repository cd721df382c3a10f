import { readFileSync } from 'node:fs';
import type { ClipBatch, DataPosition } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FashionMnistDataset, fashionMnistCaption } from './fashion-mnist-dataset.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_TEMPLATES } from './fashion-mnist-recipe.js';
import { type FashionMnist, loadFashionMnist } from './load-fashion-mnist.js';

const RECIPE_CAPTIONS = `${process.env.CLIPKIT_SHARED}/recipes/fashion-mnist-captions.json`;
const PLANE = 32 * 32;
const f = Math.fround;
/** What the zero padding becomes: the recipe's float32 steps on 0, (0 - 0.2860) / 0.3530. */
const PAD_VALUE = f(f(0 - f(0.286)) / f(0.353));
const OPEN_CLIP_AUGMENT = { scale: [0.9, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number] };

/** Bit-exact equality of two float arrays (vitest's deep equality is slow on a million elements). */
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

let mnist: FashionMnist;
beforeAll(() => {
  mnist = loadFashionMnist('/usr/share/datasets/fashion-mnist');
});

async function take(dataset: FashionMnistDataset, start: DataPosition, n: number, batchSize = 256): Promise<{ batch: ClipBatch; next: DataPosition }[]> {
  const out: { batch: ClipBatch; next: DataPosition }[] = [];
  if (n === 0) return out;
  for await (const item of dataset.trainBatches({ batchSize, start })) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

describe('FashionMnistDataset', () => {
  it("captions every class with every template exactly as the recipe's caption list", () => {
    const { captions } = JSON.parse(readFileSync(RECIPE_CAPTIONS, 'utf8')) as { captions: string[] };
    expect(captions).toHaveLength(80);
    for (let label = 0; label < 10; label++) {
      for (let template = 0; template < 8; template++) expect(fashionMnistCaption(label, template)).toBe(captions[label * 8 + template]);
    }
  });

  it('preprocesses as the recipe: zero pad to 32x32, (x - 0.2860) / 0.3530, three identical channels', async () => {
    const [{ batch }] = await take(new FashionMnistDataset(mnist, 0), { epoch: 0, batch: 0 }, 1, 8);
    expect(batch.pixelShape).toEqual([8, 3, 32, 32]);
    const dataset = new FashionMnistDataset(mnist, 0);
    const first = dataset.epochPlan(0).order[0];
    const source = mnist.train.images.subarray(first * 784, first * 784 + 784);
    const image = batch.pixelValues.subarray(0, 3 * PLANE);
    // Hand-worked values (tolerance 1e-6, float32 rounding): the border pad and full ink.
    expect(PAD_VALUE).toBeCloseTo(-0.286 / 0.353, 6);
    expect(PAD_VALUE).toBeCloseTo(-0.8102, 4);
    for (const [y, x] of [
      [0, 0],
      [1, 31],
      [31, 15],
      [16, 0],
      [30, 30],
    ])
      expect(image[y * 32 + x]).toBe(PAD_VALUE);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) expect(image[(y + 2) * 32 + x + 2]).toBeCloseTo((source[y * 28 + x] / 255 - 0.286) / 0.353, 6);
    }
    expect(image.subarray(PLANE, 2 * PLANE)).toEqual(image.subarray(0, PLANE));
    expect(image.subarray(2 * PLANE)).toEqual(image.subarray(0, PLANE));
    const ink = source.indexOf(255);
    expect(ink).toBeGreaterThanOrEqual(0);
    expect(image[(Math.floor(ink / 28) + 2) * 32 + (ink % 28) + 2]).toBeCloseTo((1 - 0.286) / 0.353, 6);
  });

  it('batches one epoch as the recipe: 234 batches of 256 from one permutation, a template per position, the last 96 dropped', async () => {
    const dataset = new FashionMnistDataset(mnist, 0);
    expect(dataset.batchesPerEpoch(256)).toBe(234);
    const { order, templates } = dataset.epochPlan(0);
    expect(new Set(order).size).toBe(60_000);
    const templateCounts = new Array(8).fill(0);
    for (const t of templates) templateCounts[t]++;
    // 60,000 uniform draws from 8: 7,500 each, standard deviation 81; 5 sigma.
    for (const count of templateCounts) expect(Math.abs(count - 7_500)).toBeLessThan(405);

    let b = 0;
    for await (const { batch, next } of dataset.trainBatches({ batchSize: 256, start: { epoch: 0, batch: 0 } })) {
      const positions = order.subarray(b * 256, b * 256 + 256);
      expect([...batch.labels!]).toEqual(Array.from(positions, (i) => mnist.train.labels[i]));
      expect(batch.captions).toEqual(Array.from(positions, (i, n) => fashionMnistCaption(mnist.train.labels[i], templates[b * 256 + n])));
      b++;
      expect(next).toEqual(b === 234 ? { epoch: 1, batch: 0 } : { epoch: 0, batch: b });
      if (b === 234) break;
    }
    expect(b).toBe(234);
  });

  it('resumes from a position with the batches an uninterrupted stream gives, across an epoch boundary', async () => {
    const dataset = new FashionMnistDataset(mnist, 5);
    const straight = await take(dataset, { epoch: 0, batch: 231 }, 5);
    expect(straight.map((s) => s.next)).toEqual([
      { epoch: 0, batch: 232 },
      { epoch: 0, batch: 233 },
      { epoch: 1, batch: 0 },
      { epoch: 1, batch: 1 },
      { epoch: 1, batch: 2 },
    ]);
    const resumed = await take(new FashionMnistDataset(mnist, 5), straight[1].next, 3);
    for (let i = 0; i < 3; i++) {
      expect(resumed[i].batch.captions).toEqual(straight[i + 2].batch.captions);
      expect(resumed[i].batch.labels).toEqual(straight[i + 2].batch.labels);
      expect(sameBits(resumed[i].batch.pixelValues, straight[i + 2].batch.pixelValues)).toBe(true);
      expect(resumed[i].next).toEqual(straight[i + 2].next);
    }
    // A new epoch draws a new order and new templates.
    expect(straight[3].batch.captions).not.toEqual(straight[0].batch.captions);
  });

  it('gives the same stream for the same seed and another for another seed', async () => {
    const [a] = await take(new FashionMnistDataset(mnist, 11), { epoch: 0, batch: 0 }, 1);
    const [b] = await take(new FashionMnistDataset(mnist, 11), { epoch: 0, batch: 0 }, 1);
    const [c] = await take(new FashionMnistDataset(mnist, 12), { epoch: 0, batch: 0 }, 1);
    expect(b.batch.captions).toEqual(a.batch.captions);
    expect(sameBits(b.batch.pixelValues, a.batch.pixelValues)).toBe(true);
    expect(c.batch.labels).not.toEqual(a.batch.labels);
  });

  it("augments training images with open_clip's RandomResizedCrop inside the padding, reproducibly on resume, and leaves evaluation alone", async () => {
    const plain = await take(new FashionMnistDataset(mnist, 3), { epoch: 0, batch: 0 }, 2, 16);
    const augmented = await take(new FashionMnistDataset(mnist, 3, { augment: OPEN_CLIP_AUGMENT }), { epoch: 0, batch: 0 }, 2, 16);
    const resumed = await take(new FashionMnistDataset(mnist, 3, { augment: OPEN_CLIP_AUGMENT }), { epoch: 0, batch: 1 }, 1, 16);
    expect(augmented[0].batch.captions).toEqual(plain[0].batch.captions);
    expect(sameBits(augmented[0].batch.pixelValues, plain[0].batch.pixelValues)).toBe(false);
    expect(sameBits(resumed[0].batch.pixelValues, augmented[1].batch.pixelValues)).toBe(true);
    // The crop is resized back to 28 px and padded as the recipe: the 2 px border stays the pad value.
    const pixels = augmented[0].batch.pixelValues;
    for (let i = 0; i < pixels.length; i++) {
      const [y, x] = [Math.floor((i % PLANE) / 32), i % 32];
      if (y < 2 || y >= 30 || x < 2 || x >= 30) expect(pixels[i]).toBe(PAD_VALUE);
    }
    const evalPlain = await new FashionMnistDataset(mnist, 3).zeroShot().batches(64)[Symbol.asyncIterator]().next();
    const evalAugmented = await new FashionMnistDataset(mnist, 3, { augment: OPEN_CLIP_AUGMENT }).zeroShot().batches(64)[Symbol.asyncIterator]().next();
    expect(sameBits(evalAugmented.value!.pixelValues, evalPlain.value!.pixelValues)).toBe(true);
  });

  it('evaluates zero-shot on the 10,000 test images in order with the 10 classes and 8 templates', async () => {
    const task = new FashionMnistDataset(mnist, 0).zeroShot();
    expect(task.size).toBe(10_000);
    expect(task.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(task.templates).toEqual(FASHION_MNIST_TEMPLATES);
    const labels: number[] = [];
    let images = 0;
    for await (const batch of task.batches(3_000)) {
      images += batch.pixelShape[0];
      labels.push(...batch.labels!);
      expect(batch.captions[0]).toBe(fashionMnistCaption(batch.labels![0], 0));
    }
    expect(images).toBe(10_000);
    expect(labels).toEqual([...mnist.test.labels]);
  });
});
