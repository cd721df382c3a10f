import { type HfStorage, type HfTowerFormat, z } from '@clipkit/core';
import { readForeignConfig, transformerHfStorage } from '@clipkit/layers';
import type { VitConfig } from './vit-schema.js';

/** transformers' CLIPVisionConfig keys that define the maths, with its defaults (hub configs list only the others). */
const visionConfigSchema = z.looseObject({
  image_size: z.int().min(1).default(224),
  patch_size: z.int().min(1).default(32),
  hidden_size: z.int().min(1).default(768),
  num_hidden_layers: z.int().min(1).default(12),
  num_attention_heads: z.int().min(1).default(12),
  intermediate_size: z.int().min(1).default(3072),
  layer_norm_eps: z.number().gt(0).max(0.1).default(1e-5),
  // transformers' "gelu" is the exact erf GELU; "gelu_new" / "gelu_pytorch_tanh" (tanh approximations) are not CLIP's.
  hidden_act: z.enum(['quick_gelu', 'gelu']).default('quick_gelu'),
  num_channels: z.literal(3, 'must be 3 (RGB)').default(3),
});

/** Tensors outside the transformer blocks. `pre_layrnorm` is transformers' own spelling. */
const NAMES: Readonly<Record<string, HfStorage>> = {
  class_embedding: { kind: 'rename', name: 'vision_model.embeddings.class_embedding' },
  'conv1.weight': { kind: 'rename', name: 'vision_model.embeddings.patch_embedding.weight' },
  positional_embedding: { kind: 'rename', name: 'vision_model.embeddings.position_embedding.weight' },
  'ln_pre.weight': { kind: 'rename', name: 'vision_model.pre_layrnorm.weight' },
  'ln_pre.bias': { kind: 'rename', name: 'vision_model.pre_layrnorm.bias' },
  'ln_post.weight': { kind: 'rename', name: 'vision_model.post_layernorm.weight' },
  'ln_post.bias': { kind: 'rename', name: 'vision_model.post_layernorm.bias' },
  proj: { kind: 'transpose', name: 'visual_projection.weight' },
};

const TRANSFORMER = 'transformer.';

/**
 * The ViT in a Hugging Face CLIPModel: `vision_config` and the `vision_model.*` / `visual_projection.*`
 * tensors (transformers' convert_clip_original_pytorch_to_hf.py, in reverse).
 */
export const vitHfFormat: HfTowerFormat<VitConfig> = {
  modelType: 'clip',
  architecture: 'CLIPModel',
  hasLogitBias: false,

  read(sub, _whole, problems) {
    const v = readForeignConfig(visionConfigSchema, sub, problems, { nullIsAbsent: true });
    if (!v) return undefined;
    const section = {
      type: 'vit',
      imageSize: v.image_size,
      patchSize: v.patch_size,
      width: v.hidden_size,
      layers: v.num_hidden_layers,
      heads: v.num_attention_heads,
      mlpWidth: v.intermediate_size,
      layerNormEps: v.layer_norm_eps,
      activation: v.hidden_act,
    };
    return { section };
  },

  write(section, embedDim) {
    const sub = {
      model_type: 'clip_vision_model',
      hidden_size: section.width,
      intermediate_size: section.mlpWidth,
      num_attention_heads: section.heads,
      num_hidden_layers: section.layers,
      image_size: section.imageSize,
      patch_size: section.patchSize,
      num_channels: 3,
      hidden_act: section.activation,
      layer_norm_eps: section.layerNormEps,
      projection_dim: embedDim,
    };
    // transformers' CLIPConfig defaults for the initial logit scale and init factor, written as its own configs are.
    return { sub, top: { projection_dim: embedDim, logit_scale_init_value: 2.6592, initializer_factor: 1.0 } };
  },

  storage(name) {
    return name.startsWith(TRANSFORMER) ? transformerHfStorage(name.slice(TRANSFORMER.length), 'vision_model.encoder.') : NAMES[name];
  },
};
