import { definePlugin, SeededRandom, TRAINABLE_IMAGE_ENCODER } from '@clipkit/core';
import { mixerSchema } from './mixer-schema.js';
import { MlpMixer } from './mlp-mixer.js';

/**
 * `model.vision.type: "mixer"`: the MLP-Mixer image tower, trainable on tfjs. Its weights are drawn from
 * `train.seed` (forked for the vision tower, as clipkit's own towers do), so a run is reproducible.
 */
export const mixerPlugin = definePlugin({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'mixer',
  schema: mixerSchema,
  create: (section, { config }) => new MlpMixer(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});
