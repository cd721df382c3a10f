import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, FASHION_MNIST_SOURCE_SIZE } from './fashion-mnist-recipe.js';
import { readIdx } from './read-idx.js';

/** One split: `count` 28x28 images one after another, and their labels 0..9. */
export interface FashionMnistSplit {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export interface FashionMnist {
  readonly train: FashionMnistSplit;
  readonly test: FashionMnistSplit;
}

const HOW_TO_GET =
  'install it with `sudo apt-get install dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist), or point data.path (`clipkit train --data DIR`) at a folder holding the four idx files';

/** The file `name` or `name.gz` in `dir`, preferring the gzipped one Debian installs. */
function findIdx(dir: string, name: string): string | undefined {
  return [`${name}.gz`, name].map((file) => join(dir, file)).find((file) => existsSync(file));
}

function readSplit(imagesFile: string, labelsFile: string): FashionMnistSplit {
  const images = readIdx(imagesFile, [FASHION_MNIST_SOURCE_SIZE, FASHION_MNIST_SOURCE_SIZE]);
  const labels = readIdx(labelsFile, []);
  const count = images.dims[0];
  if (labels.dims[0] !== count) throw new ClipkitError(`${labelsFile}: ${labels.dims[0]} labels for the ${count} images of ${imagesFile}; the files do not belong together`);
  const bad = labels.data.findIndex((label) => label >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) throw new ClipkitError(`${labelsFile}: label ${labels.data[bad]} at index ${bad}, expected 0..${FASHION_MNIST_CLASSES.length - 1}`);
  return { count, images: images.data, labels: labels.data };
}

/** Reads and checks the four Fashion-MNIST IDX files in `dir`. */
export function loadFashionMnist(dir: string): FashionMnist {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ClipkitError(`Fashion-MNIST folder ${dir} (data.path) does not exist: ${HOW_TO_GET}`);
  const names = Object.values(FASHION_MNIST_FILES);
  const missing = names.filter((name) => !findIdx(dir, name));
  if (missing.length > 0) throw new ClipkitError(`Fashion-MNIST folder ${dir} (data.path) lacks ${missing.map((name) => `${name}(.gz)`).join(', ')}: ${HOW_TO_GET}`);
  const file = (name: string) => findIdx(dir, name)!;
  return {
    train: readSplit(file(FASHION_MNIST_FILES.trainImages), file(FASHION_MNIST_FILES.trainLabels)),
    test: readSplit(file(FASHION_MNIST_FILES.testImages), file(FASHION_MNIST_FILES.testLabels)),
  };
}
