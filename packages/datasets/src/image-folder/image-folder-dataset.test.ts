import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClipBatch, ClipkitError, clipPreprocess, type DataPosition, OPENAI_IMAGENET_TEMPLATES } from '@clipkit/core';
import { CLIP_MEAN, CLIP_STD } from '@clipkit/images';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inThreadImageLoader } from '../common/image-loader.js';
import type { ImageFolderDataConfig } from './image-folder-config.js';
import { ImageFolderDataset } from './image-folder-dataset.js';
import { imageFolderTemplates } from './image-folder-plugin.js';
import { readImageFolder } from './read-image-folder.js';

const SIDE = 8;
const root = mkdtempSync(join(tmpdir(), 'clipkit-image-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Class folders in unsorted creation order; image k of a class has red level 10 k + 60 label, so pixels tell which it is. */
const CLASSES = ['zebra', 'cat', 'dog'];
const PER_CLASS = 4;
const red = (label: number, k: number) => 10 * k + 60 * label;

async function writeImage(file: string, r: number): Promise<void> {
  await sharp({ create: { width: 10, height: 12, channels: 3, background: { r, g: 0, b: 0 } } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  const sorted = [...CLASSES].sort();
  for (const name of CLASSES) {
    const label = sorted.indexOf(name);
    mkdirSync(join(root, 'train', name, 'nested'), { recursive: true });
    for (let k = 0; k < PER_CLASS; k++) await writeImage(join(root, 'train', name, k === 3 ? 'nested' : '', `${k}.png`), red(label, k));
    writeFileSync(join(root, 'train', name, 'notes.txt'), 'not an image');
  }
  writeFileSync(join(root, 'train', 'cat', 'broken.png'), 'not a png');
  mkdirSync(join(root, 'named', 'n02'), { recursive: true });
  mkdirSync(join(root, 'named', 'n01'), { recursive: true });
  await writeImage(join(root, 'named', 'n01', 'a.png'), 0);
  await writeImage(join(root, 'named', 'n02', 'b.png'), 0);
  writeFileSync(join(root, 'named', 'classnames.txt'), 'tench\ngoldfish\n');
  mkdirSync(join(root, 'lonely', 'only'), { recursive: true });
  mkdirSync(join(root, 'hollow', 'a'), { recursive: true });
  mkdirSync(join(root, 'hollow', 'b'), { recursive: true });
  await writeImage(join(root, 'hollow', 'a', 'x.png'), 0);
  mkdirSync(join(root, 'linked', 'a'), { recursive: true });
  mkdirSync(join(root, 'linked', 'b', 'x.png'), { recursive: true });
  await writeImage(join(root, 'linked', 'a', 'one.png'), 0);
  await writeImage(join(root, 'linked', 'b', 'x.png', 'two.png'), 0);
  symlinkSync('.', join(root, 'linked', 'a', 'loop'));
  writeFileSync(join(root, 'templates.txt'), 'a photo of a {}.\n\nart of the {}.\n');
});

/** The (label, k) an image shows, from its first red value. */
function shown(batch: ClipBatch, n: number): number {
  const value = batch.pixelValues[n * 3 * SIDE * SIDE];
  return Math.max(0, Math.round(((value * CLIP_STD[0] + CLIP_MEAN[0]) * 255) / 10));
}

function dataset(seed: number, log: string[] = []) {
  const train = readImageFolder(join(root, 'train'));
  const preprocess = clipPreprocess(SIDE);
  return new ImageFolderDataset({
    train,
    eval: train,
    templates: ['a photo of a {}.', 'art of the {}.'],
    imageSize: SIDE,
    preprocess,
    seed,
    loader: inThreadImageLoader({ preprocess, imageSize: SIDE, augment: null, augmentKey: 0 }),
    log: (m) => log.push(m),
  });
}

async function take(d: ImageFolderDataset, start: DataPosition, n: number, batchSize: number) {
  const out: { batch: ClipBatch; next: DataPosition }[] = [];
  for await (const item of d.trainBatches({ batchSize, start })) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

describe('readImageFolder', () => {
  it("labels the class folders in sorted order, as torchvision's ImageFolder, with images at any depth", () => {
    const folder = readImageFolder(join(root, 'train'));
    expect(folder.classNames).toEqual(['cat', 'dog', 'zebra']);
    expect(folder.images.map((i) => [folder.classNames[i.label], i.where])).toEqual([
      ['cat', join('cat', '0.png')],
      ['cat', join('cat', '1.png')],
      ['cat', join('cat', '2.png')],
      ['cat', join('cat', 'broken.png')],
      ['cat', join('cat', 'nested', '3.png')],
      ...['dog', 'zebra'].flatMap((c) => [0, 1, 2].map((k) => [c, join(c, `${k}.png`)]).concat([[c, join(c, 'nested', '3.png')]])),
    ]);
  });

  it('lists an image once despite a link loop, and skips and reports a folder named x.png (issue 16)', () => {
    const folder = readImageFolder(join(root, 'linked'));
    expect(folder.images.map((i) => [i.label, i.where])).toEqual([
      [0, join('a', 'one.png')],
      [1, join('b', 'x.png', 'two.png')],
    ]);
    expect(folder.skipped.map((s) => s.path)).toEqual([join(root, 'linked', 'b', 'x.png')]);
  });

  it('names the classes from classnames.txt, one line per folder in sorted order', () => {
    const folder = readImageFolder(join(root, 'named'));
    expect(folder.folders).toEqual(['n01', 'n02']);
    expect(folder.classNames).toEqual(['tench', 'goldfish']);
    writeFileSync(join(root, 'named', 'classnames.txt'), 'tench\n');
    expect(() => readImageFolder(join(root, 'named'))).toThrow(/classnames.txt names 1 classes, but .* has 2 class folders/);
    writeFileSync(join(root, 'named', 'classnames.txt'), 'tench\ngoldfish\n');
  });

  it('refuses a folder without two classes or with an empty class, saying what it must hold', () => {
    expect(() => readImageFolder(join(root, 'lonely'))).toThrow(ClipkitError);
    expect(() => readImageFolder(join(root, 'lonely'))).toThrow(/has 1 class folder; it must hold one folder of images per class/);
    expect(() => readImageFolder(join(root, 'hollow'))).toThrow(/class folder b holds no .png/);
    expect(() => readImageFolder(join(root, 'missing'))).toThrow(/does not exist/);
  });
});

describe('imageFolderTemplates', () => {
  const section = (templates: ImageFolderDataConfig['templates']): ImageFolderDataConfig => ({ type: 'image-folder', path: root, evalPath: null, templates, augment: null });

  it("reads a templates file (relative to path), a list, or gives OpenAI's 80 ImageNet templates", () => {
    expect(imageFolderTemplates(section('templates.txt'))).toEqual(['a photo of a {}.', 'art of the {}.']);
    expect(imageFolderTemplates(section(['a {} here']))).toEqual(['a {} here']);
    expect(imageFolderTemplates(section(null))).toBe(OPENAI_IMAGENET_TEMPLATES);
  });

  it('refuses a template without {}, naming where it came from', () => {
    expect(() => imageFolderTemplates(section(['no class here']))).toThrow(/data.templates: prompt template "no class here" has no "\{\}"/);
  });
});

describe('ImageFolderDataset', () => {
  it('captions each training image with a template filled with its class name and labels it by its folder', async () => {
    const log: string[] = [];
    const [{ batch }] = await take(dataset(1, log), { epoch: 0, batch: 0 }, 1, 12);
    const names = ['cat', 'dog', 'zebra'];
    expect(batch.pixelShape).toEqual([12, 3, SIDE, SIDE]);
    batch.captions.forEach((caption, n) => {
      const label = batch.labels![n];
      expect(['a photo of a {}.', 'art of the {}.'].map((t) => t.replace('{}', names[label]))).toContain(caption);
      // The image shown belongs to the labelled class: red 10 k + 60 label.
      expect(Math.floor(shown(batch, n) / 6)).toBe(label);
    });
    // 13 files, one unreadable: the 12 readable ones, each once.
    expect(new Set(Array.from({ length: 12 }, (_, n) => shown(batch, n))).size).toBe(12);
    expect(log.join('\n')).toContain('broken.png');
  });

  it('gives a resumed stream the batches of an uninterrupted one', async () => {
    const straight = await take(dataset(4), { epoch: 0, batch: 0 }, 5, 4);
    const resumed = await take(dataset(4), straight[1].next, 3, 4);
    for (let i = 0; i < 3; i++) {
      expect(resumed[i].batch.captions).toEqual(straight[i + 2].batch.captions);
      expect(resumed[i].batch.pixelValues).toEqual(straight[i + 2].batch.pixelValues);
      expect(resumed[i].next).toEqual(straight[i + 2].next);
    }
  });

  it("evaluates zero-shot on the evaluation folder's readable images, class after class, with its class names and templates", async () => {
    const task = dataset(0).zeroShot()!;
    expect([task.classNames, task.templates, task.size]).toEqual([['cat', 'dog', 'zebra'], ['a photo of a {}.', 'art of the {}.'], 13]);
    const labels: number[] = [];
    for await (const batch of task.batches(5)) labels.push(...batch.labels!);
    expect(labels).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });
});
