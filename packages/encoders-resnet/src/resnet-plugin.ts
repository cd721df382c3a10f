import { definePlugin, SeededRandom, TRAINABLE_IMAGE_ENCODER, type TrainableImageEncoder } from '@clipkit/core';
import { ModifiedResNet } from './modified-resnet.js';
import { resnetGraph } from './resnet-graph.js';
import { resnetOpenClipFormat } from './resnet-open-clip-format.js';
import { type ResNetConfig, resnetSchema } from './resnet-schema.js';
import { resnetSize } from './resnet-size.js';

/**
 * `model.vision.type: "resnet"`: OpenAI CLIP's ModifiedResNet, trainable on tfjs (initialised from
 * `train.seed`), read and written in open_clip's layout (transformers has no ResNet CLIP), exportable to ONNX.
 */
export const resnetPlugin = definePlugin<TrainableImageEncoder, ResNetConfig>({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'resnet',
  schema: resnetSchema,
  size: resnetSize,
  formats: { openClip: resnetOpenClipFormat },
  onnx: { graph: resnetGraph },
  create: (section, { config }) => new ModifiedResNet(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('vision')),
});

/** Every plug-in of this package. */
export const plugins = [resnetPlugin];
