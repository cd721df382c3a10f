import { definePlugin, SeededRandom, TRAINABLE_IMAGE_ENCODER, type TrainableImageEncoder } from '@clipkit/core';
import { VisionTransformer } from './vision-transformer.js';
import { vitGraph } from './vit-graph.js';
import { vitHfFormat } from './vit-hf-format.js';
import { vitOpenClipFormat } from './vit-open-clip-format.js';
import { type VitConfig, vitSchema } from './vit-schema.js';
import { vitSize } from './vit-size.js';

/**
 * `model.vision.type: "vit"`: OpenAI CLIP's VisionTransformer, trainable on tfjs (initialised from
 * `train.seed`), read and written in open_clip's and Hugging Face's layouts, exportable to ONNX.
 */
export const vitPlugin = definePlugin<TrainableImageEncoder, VitConfig>({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'vit',
  schema: vitSchema,
  size: vitSize,
  formats: { openClip: vitOpenClipFormat, huggingface: vitHfFormat },
  onnx: { graph: vitGraph },
  create: (section, { config }) => new VisionTransformer(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});

/** Every plug-in of this package. */
export const plugins = [vitPlugin];
