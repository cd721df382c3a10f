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
export const FASHION_MNIST_MEAN = 0.286;
export const FASHION_MNIST_STD = 0.353;

/** Side of the stored images; zero-padded by FASHION_MNIST_PAD on each side to FASHION_MNIST_IMAGE_SIZE. */
export const FASHION_MNIST_SOURCE_SIZE = 28;
export const FASHION_MNIST_PAD = 2;
export const FASHION_MNIST_IMAGE_SIZE = FASHION_MNIST_SOURCE_SIZE + 2 * FASHION_MNIST_PAD;

/** The four IDX files, as Debian's dataset-fashion-mnist names them. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
