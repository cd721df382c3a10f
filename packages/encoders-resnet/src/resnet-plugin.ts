import { definePlugin, IMAGE_ENCODER, type ImageEncoder, type ResNetConfig, SeededRandom } from '@clipkit/core';
import { ModifiedResNet } from './modified-resnet.js';

/** Fills IMAGE_ENCODER for `model.vision.type: "resnet"` on tfjs, initialised from `train.seed`. */
export const resnetPlugin = definePlugin<ImageEncoder>({
  slot: IMAGE_ENCODER,
  type: 'resnet',
  runtime: 'tfjs',
  create: (config) => new ModifiedResNet(config.model.vision as ResNetConfig, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});
