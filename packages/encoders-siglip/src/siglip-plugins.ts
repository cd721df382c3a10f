import { definePlugin, SeededRandom, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER, type TrainableImageEncoder, type TrainableTextEncoder } from '@clipkit/core';
import { siglipTextSize, siglipVisionSize } from './siglip-size.js';
import { siglipTextGraph } from './siglip-text-graph.js';
import { siglipTextHfFormat } from './siglip-text-hf-format.js';
import { type SiglipTextConfig, siglipTextSchema } from './siglip-text-schema.js';
import { SiglipTextTransformer } from './siglip-text-transformer.js';
import { siglipVisionGraph } from './siglip-vision-graph.js';
import { siglipVisionHfFormat } from './siglip-vision-hf-format.js';
import { type SiglipVisionConfig, siglipVisionSchema } from './siglip-vision-schema.js';
import { SiglipVisionTransformer } from './siglip-vision-transformer.js';

/**
 * `model.vision.type: "siglip"`: SigLIP's vision transformer with its attention pooling head, trainable on
 * tfjs (initialised from `train.seed`), read and written in Hugging Face's SiglipModel layout, exportable to ONNX.
 */
export const siglipVisionPlugin = definePlugin<TrainableImageEncoder, SiglipVisionConfig>({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'siglip',
  schema: siglipVisionSchema,
  size: siglipVisionSize,
  formats: { huggingface: siglipVisionHfFormat },
  onnx: { graph: siglipVisionGraph },
  create: (section, { config }) => new SiglipVisionTransformer(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});

/** `model.text.type: "siglip"`: SigLIP's text transformer (not causal, last position pooled, Linear head), as the image tower. */
export const siglipTextPlugin = definePlugin<TrainableTextEncoder, SiglipTextConfig>({
  slot: TRAINABLE_TEXT_ENCODER,
  type: 'siglip',
  schema: siglipTextSchema,
  size: siglipTextSize,
  formats: { huggingface: siglipTextHfFormat },
  onnx: { graph: siglipTextGraph },
  create: (section, { config }) => new SiglipTextTransformer(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('text')),
});

/** Every plug-in of this package: both SigLIP towers. */
export const plugins = [siglipVisionPlugin, siglipTextPlugin];
