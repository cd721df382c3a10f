import { type HfTowerFormat, z } from '@clipkit/core';
import { readForeignConfig } from '@clipkit/layers';
import { fromHfActivation, hfActivation, toHfActivation } from './hf-activation.js';
import type { SiglipTextConfig } from './siglip-text-schema.js';

/**
 * transformers' SiglipTextConfig keys that define the maths, with its defaults (hub configs list only the
 * others). Its bos/eos/pad ids are not read: the tower pools the last position whatever token is there.
 */
const textConfigSchema = z.looseObject({
  vocab_size: z.int().min(1).default(32000),
  max_position_embeddings: z.int().min(1).default(64),
  hidden_size: z.int().min(1).default(768),
  num_hidden_layers: z.int().min(1).default(12),
  num_attention_heads: z.int().min(1).default(12),
  intermediate_size: z.int().min(1).default(3072),
  layer_norm_eps: z.number().gt(0).max(0.1).default(1e-6),
  hidden_act: hfActivation,
  // Newer transformers' head width (SigLIP 2); absent: the hidden size.
  projection_size: z.int().min(1).optional(),
});

/**
 * The SigLIP text tower in a Hugging Face SiglipModel: `text_config` and the `text_model.*` tensors (the
 * tower's own names below `text_model.`); its folders carry SigLIP's SentencePiece tokenizer.
 */
export const siglipTextHfFormat: HfTowerFormat<SiglipTextConfig> = {
  modelType: 'siglip',
  architecture: 'SiglipModel',
  tokenizer: 'siglip',

  read(sub, _whole, problems) {
    const t = readForeignConfig(textConfigSchema, sub, problems, { nullIsAbsent: true });
    if (!t) return undefined;
    const section = {
      type: 'siglip',
      contextLength: t.max_position_embeddings,
      vocabSize: t.vocab_size,
      width: t.hidden_size,
      layers: t.num_hidden_layers,
      heads: t.num_attention_heads,
      mlpWidth: t.intermediate_size,
      layerNormEps: t.layer_norm_eps,
      activation: fromHfActivation(t.hidden_act),
    };
    return { section, embedDim: t.projection_size ?? t.hidden_size };
  },

  write(section, embedDim) {
    const sub = {
      model_type: 'siglip_text_model',
      vocab_size: section.vocabSize,
      hidden_size: section.width,
      intermediate_size: section.mlpWidth,
      num_attention_heads: section.heads,
      num_hidden_layers: section.layers,
      max_position_embeddings: section.contextLength,
      hidden_act: toHfActivation(section.activation),
      layer_norm_eps: section.layerNormEps,
      // Only a head that changes the width needs it (older transformers, without the key, use hidden_size).
      ...(embedDim === section.width ? {} : { projection_size: embedDim }),
    };
    return { sub };
  },

  storage: (name) => ({ kind: 'rename', name: `text_model.${name}` }),
};
