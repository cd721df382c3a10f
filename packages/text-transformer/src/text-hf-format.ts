import { ClipkitError, type HfStorage, type HfTowerFormat, z } from '@clipkit/core';
import { readForeignConfig, transformerHfStorage } from '@clipkit/layers';
import type { TextTransformerConfig } from './text-transformer-schema.js';

/**
 * transformers' CLIPTextTransformer pools text features at argmax(input_ids) only for legacy configs with
 * eos_token_id 2 (the value in OpenAI's own Hugging Face configs); any other id pools at its first occurrence.
 */
const LEGACY_ARGMAX_EOS = 2;

/** transformers' CLIPTextConfig keys that define the maths, with its defaults (hub configs list only the others). */
const textConfigSchema = z.looseObject({
  max_position_embeddings: z.int().min(2).default(77),
  vocab_size: z.int().min(1).default(49408),
  hidden_size: z.int().min(1).default(512),
  num_attention_heads: z.int().min(1).default(8),
  num_hidden_layers: z.int().min(1).default(12),
  intermediate_size: z.int().min(1).default(2048),
  layer_norm_eps: z.number().gt(0).max(0.1).default(1e-5),
  // transformers' "gelu" is the exact erf GELU; "gelu_new" / "gelu_pytorch_tanh" (tanh approximations) are not CLIP's.
  hidden_act: z.enum(['quick_gelu', 'gelu']).default('quick_gelu'),
  eos_token_id: z.int().min(0).default(49407),
});

/** Tensors outside the transformer blocks. */
const NAMES: Readonly<Record<string, HfStorage>> = {
  'token_embedding.weight': { kind: 'rename', name: 'text_model.embeddings.token_embedding.weight' },
  positional_embedding: { kind: 'rename', name: 'text_model.embeddings.position_embedding.weight' },
  'ln_final.weight': { kind: 'rename', name: 'text_model.final_layer_norm.weight' },
  'ln_final.bias': { kind: 'rename', name: 'text_model.final_layer_norm.bias' },
  text_projection: { kind: 'transpose', name: 'text_projection.weight' },
};

const TRANSFORMER = 'transformer.';

/**
 * The text tower in a Hugging Face CLIPModel: `text_config` and the `text_model.*` / `text_projection.*`
 * tensors (transformers' convert_clip_original_pytorch_to_hf.py, in reverse); its folders carry CLIP's BPE.
 */
export const textHfFormat: HfTowerFormat<TextTransformerConfig> = {
  modelType: 'clip',
  architecture: 'CLIPModel',
  tokenizer: 'clip-bpe',

  read(sub, _whole, problems) {
    const t = readForeignConfig(textConfigSchema, sub, problems, { nullIsAbsent: true });
    if (!t) return undefined;
    const section = {
      type: 'transformer',
      contextLength: t.max_position_embeddings,
      vocabSize: t.vocab_size,
      width: t.hidden_size,
      heads: t.num_attention_heads,
      layers: t.num_hidden_layers,
      mlpWidth: t.intermediate_size,
      layerNormEps: t.layer_norm_eps,
      activation: t.hidden_act,
      eosTokenId: t.eos_token_id === LEGACY_ARGMAX_EOS ? null : t.eos_token_id,
    };
    return { section };
  },

  write(section, embedDim) {
    if (section.eosTokenId === LEGACY_ARGMAX_EOS) {
      throw new ClipkitError(
        `model.text.eosTokenId: transformers reads eos_token_id ${LEGACY_ARGMAX_EOS} as "pool at the largest id", not at token ${LEGACY_ARGMAX_EOS}; save in the "open_clip" or "clipkit" layout`,
      );
    }
    // OpenAI's own configs pair the legacy eos id with these bos/pad ids.
    const specialTokens = section.eosTokenId === null ? { bos_token_id: 0, eos_token_id: LEGACY_ARGMAX_EOS, pad_token_id: 1 } : { eos_token_id: section.eosTokenId };
    const sub = {
      model_type: 'clip_text_model',
      hidden_size: section.width,
      intermediate_size: section.mlpWidth,
      num_attention_heads: section.heads,
      num_hidden_layers: section.layers,
      max_position_embeddings: section.contextLength,
      vocab_size: section.vocabSize,
      hidden_act: section.activation,
      layer_norm_eps: section.layerNormEps,
      projection_dim: embedDim,
      ...specialTokens,
    };
    return { sub, top: { projection_dim: embedDim } };
  },

  storage(name) {
    return name.startsWith(TRANSFORMER) ? transformerHfStorage(name.slice(TRANSFORMER.length), 'text_model.encoder.') : NAMES[name];
  },
};
