import { definePlugin, SeededRandom, TRAINABLE_TEXT_ENCODER, type TrainableTextEncoder } from '@clipkit/core';
import { textGraph } from './text-graph.js';
import { textHfFormat } from './text-hf-format.js';
import { textOpenClipFormat } from './text-open-clip-format.js';
import { TextTransformer } from './text-transformer.js';
import { type TextTransformerConfig, textTransformerSchema } from './text-transformer-schema.js';
import { textTransformerSize } from './text-transformer-size.js';

/**
 * `model.text.type: "transformer"`: OpenAI CLIP's text tower, trainable on tfjs (initialised from
 * `train.seed`), read and written in open_clip's and Hugging Face's layouts, exportable to ONNX.
 */
export const textTransformerPlugin = definePlugin<TrainableTextEncoder, TextTransformerConfig>({
  slot: TRAINABLE_TEXT_ENCODER,
  type: 'transformer',
  schema: textTransformerSchema,
  size: textTransformerSize,
  formats: { openClip: textOpenClipFormat, huggingface: textHfFormat },
  onnx: { graph: textGraph },
  create: (section, { config }) => new TextTransformer(section, config.model.embedDim, new SeededRandom(config.train.seed).fork('text')),
});
