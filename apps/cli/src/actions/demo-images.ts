import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { COLOURS, drawShapeScene, FASHION_MNIST_CLASSES, fashionMnistCaption, loadFashionMnist, SHAPES, type ShapeScene, shapeSceneAt, shapeStreams } from '@clipkit/datasets';
import sharp from 'sharp';
import { checkOutFolder, writeFolderStaged } from '../output/write-folder-staged.js';

export interface DemoImagesOptions {
  out: string;
  force?: boolean;
  count?: number;
  seed: number;
  data: string;
}

/** One image to write: its file name, caption and 8-bit pixels. */
interface DemoImage {
  readonly file: string;
  readonly caption: string;
  readonly pixels: Uint8Array;
  readonly channels: 1 | 3;
  readonly side: number;
}

/** The shapes model's image size (configs/shapes-vit-clip.json): scenes are drawn at the size the model sees. */
const SHAPES_SIZE = 32;
const DEFAULT_SHAPES = 1000;
/** Fashion-MNIST's 28x28 images, zero-padded by 2 on each side as the recipe trains on them. */
const FASHION_SOURCE = 28;
const FASHION_PAD = 2;
/** PNGs encoded at once. */
const IN_FLIGHT = 16;

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const numbered = (i: number, name: string) => `${String(i).padStart(5, '0')}-${slug(name)}.png`;

/** Scenes of the training distribution (every colour and shape but the held-out pairs), from a seed other than training's. */
function* shapeImages(count: number, seed: number): Generator<DemoImage> {
  const streams = shapeStreams(SHAPES_SIZE, seed, 0);
  for (let i = 0; i < count; i++) {
    const scene: ShapeScene = shapeSceneAt(streams, 'train', i);
    const file = numbered(i, `${COLOURS[scene.colour].name} ${SHAPES[scene.shape]}`);
    yield { file, caption: scene.caption, pixels: drawShapeScene(scene, SHAPES_SIZE).data, channels: 3, side: SHAPES_SIZE };
  }
}

/** The test split, each image padded to 32x32 with zeros; the caption is the recipe's first template. */
function* fashionMnistImages(count: number | undefined, dir: string): Generator<DemoImage> {
  const { test } = loadFashionMnist(dir);
  const side = FASHION_SOURCE + 2 * FASHION_PAD;
  for (let i = 0; i < Math.min(count ?? test.count, test.count); i++) {
    const pixels = new Uint8Array(side * side);
    for (let y = 0; y < FASHION_SOURCE; y++) {
      const row = test.images.subarray((i * FASHION_SOURCE + y) * FASHION_SOURCE, (i * FASHION_SOURCE + y + 1) * FASHION_SOURCE);
      pixels.set(row, (y + FASHION_PAD) * side + FASHION_PAD);
    }
    const label = test.labels[i];
    yield { file: numbered(i, FASHION_MNIST_CLASSES[label]), caption: fashionMnistCaption(label, 0), pixels, channels: 1, side };
  }
}

/** `clipkit demo-images shapes|fashion-mnist --out DIR`: PNGs with their labels in the file names, and captions.tsv. */
export async function demoImages(kind: 'shapes' | 'fashion-mnist', options: DemoImagesOptions): Promise<void> {
  const images = kind === 'shapes' ? shapeImages(options.count ?? DEFAULT_SHAPES, options.seed) : fashionMnistImages(options.count, options.data);
  const out = resolve(options.out);
  checkOutFolder(out, options.force ?? false);
  // open_clip's CSV keys and separator, so the folder is also an image-text dataset (data.file: captions.tsv).
  const rows = ['filepath\ttitle'];
  // Through a staging folder renamed into place: a failed or killed run leaves no half-written folder.
  await writeFolderStaged(out, async (staging) => {
    await mkdir(staging, { recursive: true });
    let pending: Promise<unknown>[] = [];
    for (const image of images) {
      const { side, channels } = image;
      pending.push(
        sharp(image.pixels, { raw: { width: side, height: side, channels } })
          .png()
          .toFile(join(staging, image.file)),
      );
      rows.push(`${image.file}\t${image.caption}`);
      if (pending.length === IN_FLIGHT) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
    await writeFile(join(staging, 'captions.tsv'), `${rows.join('\n')}\n`);
  });
  console.log(`wrote ${rows.length - 1} ${kind} images and captions.tsv to ${options.out}`);
}
