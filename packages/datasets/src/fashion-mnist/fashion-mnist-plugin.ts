import { type ClipDataset, DATASET, definePlugin } from '@clipkit/core';
import { requireImageSize } from '../common/require-image-size.js';
import { type FashionMnistDataConfig, fashionMnistSchema } from './fashion-mnist-config.js';
import { FashionMnistDataset } from './fashion-mnist-dataset.js';
import { FASHION_MNIST_IMAGE_SIZE } from './fashion-mnist-recipe.js';
import { loadFashionMnist } from './load-fashion-mnist.js';

/** `data.type: "fashion-mnist"`: the IDX files in `data.path`, data order (and augmentation) from `train.seed`. */
export const fashionMnistPlugin = definePlugin<ClipDataset, FashionMnistDataConfig>({
  slot: DATASET,
  type: 'fashion-mnist',
  schema: fashionMnistSchema,
  create(data, { config, log }) {
    // The recipe pads to 32; a `preprocess` section (e.g. a pretrained model's, through train.init) brings them to any size.
    if (config.preprocess === null) requireImageSize(config, FASHION_MNIST_IMAGE_SIZE, 'Fashion-MNIST images are 28x28 padded to 32x32, as the recipe (or set preprocess)');
    const mnist = loadFashionMnist(data.path);
    log(`fashion-mnist: ${mnist.train.count} training and ${mnist.test.count} test images from ${data.path}${data.augment ? ', augmented' : ''}`);
    return new FashionMnistDataset(mnist, config.train.seed, {
      preprocess: config.preprocess ?? undefined,
      imageSize: config.model.vision.imageSize,
      augment: data.augment,
    });
  },
});
