import { definePlugin, SeededRandom, TEXT_ENCODER, type TextEncoder } from '@clipkit/core';
import { TextTransformer } from './text-transformer.js';

/** Fills TEXT_ENCODER for `model.text.type: "transformer"` on tfjs, initialised from `train.seed`. */
export const textTransformerPlugin = definePlugin<TextEncoder>({
  slot: TEXT_ENCODER,
  type: 'transformer',
  runtime: 'tfjs',
  create: (config) => new TextTransformer(config.model.text, config.model.embedDim, new SeededRandom(config.train.seed).fork('text')),
});
