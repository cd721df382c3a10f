import { ClipkitError } from '../errors.js';
import type { ModelConfig } from './clip-config.js';

/**
 * transformers' CLIPTextTransformer pools text features at argmax(input_ids) only for legacy configs with
 * eos_token_id 2 (the value in OpenAI's own Hugging Face configs); any other id pools at its first occurrence.
 */
const LEGACY_ARGMAX_EOS = 2;

/**
 * clipkit's ModelConfig as a Hugging Face CLIPModel `config.json`, the inverse of hfClipModelConfigField:
 * parsing the result gives back the same ModelConfig. Hugging Face CLIP has only Vision Transformer image
 * towers, so a ResNet model is a ClipkitError.
 */
export function toHfClipConfig(model: ModelConfig): Record<string, unknown> {
  const { vision, text } = model;
  if (vision.type !== 'vit') {
    throw new ClipkitError('model.vision.type: Hugging Face CLIPModel has no ResNet image tower; save this model in the "open_clip" or "clipkit" layout');
  }
  if (text.eosTokenId === LEGACY_ARGMAX_EOS) {
    throw new ClipkitError(
      `model.text.eosTokenId: transformers reads eos_token_id ${LEGACY_ARGMAX_EOS} as "pool at the largest id", not at token ${LEGACY_ARGMAX_EOS}; save in the "open_clip" or "clipkit" layout`,
    );
  }
  // OpenAI's own configs pair the legacy eos id with these bos/pad ids.
  const specialTokens = text.eosTokenId === null ? { bos_token_id: 0, eos_token_id: LEGACY_ARGMAX_EOS, pad_token_id: 1 } : { eos_token_id: text.eosTokenId };
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: model.embedDim,
    logit_scale_init_value: 2.6592,
    initializer_factor: 1.0,
    torch_dtype: 'float32',
    text_config: {
      model_type: 'clip_text_model',
      hidden_size: text.width,
      intermediate_size: text.mlpWidth,
      num_attention_heads: text.heads,
      num_hidden_layers: text.layers,
      max_position_embeddings: text.contextLength,
      vocab_size: text.vocabSize,
      hidden_act: text.activation,
      layer_norm_eps: text.layerNormEps,
      projection_dim: model.embedDim,
      ...specialTokens,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: vision.width,
      intermediate_size: vision.mlpWidth,
      num_attention_heads: vision.heads,
      num_hidden_layers: vision.layers,
      image_size: vision.imageSize,
      patch_size: vision.patchSize,
      num_channels: 3,
      hidden_act: vision.activation,
      layer_norm_eps: vision.layerNormEps,
      projection_dim: model.embedDim,
    },
  };
}
