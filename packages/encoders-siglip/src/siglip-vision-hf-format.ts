import { ClipkitError, type HfTowerFormat, z } from '@clipkit/core';
import { onlyDefault, readForeignConfig } from '@clipkit/layers';
import { fromHfActivation, hfActivation, toHfActivation } from './hf-activation.js';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';

/** transformers' SiglipVisionConfig keys that define the maths, with its defaults (hub configs list only the others). */
const visionConfigSchema = z.looseObject({
  image_size: z.int().min(1).default(224),
  patch_size: z.int().min(1).default(16),
  hidden_size: z.int().min(1).default(768),
  num_hidden_layers: z.int().min(1).default(12),
  num_attention_heads: z.int().min(1).default(12),
  intermediate_size: z.int().min(1).default(3072),
  layer_norm_eps: z.number().gt(0).max(0.1).default(1e-6),
  hidden_act: hfActivation,
  num_channels: z.literal(3, 'must be 3 (RGB)').default(3),
  // Newer transformers can drop the pooling head (SigLIP as a vision backbone); its image embedding is the head's.
  vision_use_head: onlyDefault(true, 'a vision tower without its attention pooling head'),
});

/**
 * The SigLIP image tower in a Hugging Face SiglipModel: `vision_config` and the `vision_model.*` tensors.
 * The tower's state-dict names are transformers' own below `vision_model.`, and the embedding width is the
 * tower's hidden size (SiglipModel has no projection).
 */
export const siglipVisionHfFormat: HfTowerFormat<SiglipVisionConfig> = {
  modelType: 'siglip',
  architecture: 'SiglipModel',
  hasLogitBias: true,

  read(sub, _whole, problems) {
    const v = readForeignConfig(visionConfigSchema, sub, problems, { nullIsAbsent: true });
    if (!v) return undefined;
    const section = {
      type: 'siglip',
      imageSize: v.image_size,
      patchSize: v.patch_size,
      width: v.hidden_size,
      layers: v.num_hidden_layers,
      heads: v.num_attention_heads,
      mlpWidth: v.intermediate_size,
      layerNormEps: v.layer_norm_eps,
      activation: fromHfActivation(v.hidden_act),
    };
    return { section, embedDim: v.hidden_size };
  },

  write(section, embedDim) {
    if (embedDim !== section.width) {
      throw new ClipkitError(`model.embedDim ${embedDim} is not model.vision.width ${section.width}: SiglipModel's image embedding is its vision tower's width`);
    }
    const sub = {
      model_type: 'siglip_vision_model',
      hidden_size: section.width,
      intermediate_size: section.mlpWidth,
      num_attention_heads: section.heads,
      num_hidden_layers: section.layers,
      image_size: section.imageSize,
      patch_size: section.patchSize,
      num_channels: 3,
      hidden_act: toHfActivation(section.activation),
      layer_norm_eps: section.layerNormEps,
    };
    return { sub };
  },

  storage: (name) => ({ kind: 'rename', name: `vision_model.${name}` }),
};
