import { definePlugin, IMAGE_ENCODER, type ImageEncoder, SeededRandom, type VitConfig } from '@clipkit/core';
import { VisionTransformer } from './vision-transformer.js';

/** Fills IMAGE_ENCODER for `model.vision.type: "vit"` on tfjs, initialised from `train.seed`. */
export const vitPlugin = definePlugin<ImageEncoder>({
  slot: IMAGE_ENCODER,
  type: 'vit',
  runtime: 'tfjs',
  create: (config) => new VisionTransformer(config.model.vision as VitConfig, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});
