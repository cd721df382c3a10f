import type { PreprocessConfig } from '@clipkit/core';

/**
 * Fashion-MNIST as the shared recipe (recipes/fashion-mnist.md) trains it: class names in label order (lower case,
 * "T-shirt/top" as "t-shirt"), the 8 templates by index, and the normalisation of the padded 32x32 images.
 */
export const FASHION_MNIST_CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;

/** Filled verbatim ("a ankle boot." is what the recipe writes). */
export const FASHION_MNIST_TEMPLATES = [
  'a photo of a {}.',
  'a picture of a {}.',
  'an image of a {}.',
  'a {}.',
  'a photo of the {}.',
  'a low resolution photo of a {}.',
  'a black and white photo of a {}.',
  'a cropped photo of a {}.',
] as const;

/** Mean and standard deviation of the training pixels in [0, 1]: x -> (x - mean) / std. */
const FASHION_MNIST_MEAN = 0.286;
const FASHION_MNIST_STD = 0.353;

/** Side of the stored images; zero-padded by 2 pixels on each side to FASHION_MNIST_IMAGE_SIZE. */
export const FASHION_MNIST_SOURCE_SIZE = 28;
export const FASHION_MNIST_IMAGE_SIZE = 32;

/**
 * The recipe's preprocessing as a `preprocess` section: no resize of a 28 px image (a "shortest" resize to 28
 * leaves it as it is and brings other image files to its scale), a centre crop to 32 that pads 2 zero pixels on
 * each side, then (x - 0.2860) / 0.3530 on every channel (grey images have three identical ones).
 */
export const FASHION_MNIST_PREPROCESS: PreprocessConfig = {
  resizeMode: 'shortest',
  size: FASHION_MNIST_SOURCE_SIZE,
  mean: [FASHION_MNIST_MEAN, FASHION_MNIST_MEAN, FASHION_MNIST_MEAN],
  std: [FASHION_MNIST_STD, FASHION_MNIST_STD, FASHION_MNIST_STD],
};

/** The four IDX files, as Debian's dataset-fashion-mnist names them. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
