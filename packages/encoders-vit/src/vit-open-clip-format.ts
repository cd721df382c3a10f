import { ClipkitError, type OpenClipTowerFormat, z } from '@clipkit/core';
import { openClipVisionOptions, readForeignConfig } from '@clipkit/layers';
import type { VitConfig } from './vit-schema.js';

/** open_clip hard-codes this LayerNorm epsilon (it has no field for it without norm_kwargs). */
const OPEN_CLIP_LAYER_NORM_EPS = 1e-5;

/** open_clip's CLIPVisionCfg (model.py) as its ViT reads it, with open_clip's defaults. */
const vitCfgSchema = z.strictObject({
  layers: z.int().min(1).default(12),
  width: z.int().min(1).default(768),
  head_width: z.int().min(1).default(64),
  mlp_ratio: z.number().gt(0).default(4),
  patch_size: z.int().min(1).nullable().default(16),
  image_size: z.int().min(1).default(224),
  ...openClipVisionOptions,
});

function unsupported(field: string, why: string): ClipkitError {
  return new ClipkitError(`model.vision.${field}: ${why}, which open_clip's config cannot express; save in the "clipkit" layout instead`);
}

/**
 * The ViT's `vision_cfg` in open_clip's model configs (src/open_clip/model_configs/*.json). open_clip builds a
 * VisionTransformer when `vision_cfg.layers` is a number (a list means ModifiedResNet: not this tower's);
 * heads = width // head_width, MLP width = int(width x mlp_ratio), `quick_gelu` picks the activation.
 */
export const vitOpenClipFormat: OpenClipTowerFormat<VitConfig> = {
  read(cfg, model, problems) {
    if (Array.isArray(cfg.layers)) return undefined;
    const v = readForeignConfig(vitCfgSchema, cfg, problems);
    if (!v) return undefined;
    if (v.patch_size === null) {
      problems.push({ path: 'patch_size', message: 'is required for a Vision Transformer (vision_cfg.layers is a number)', value: null });
      return undefined;
    }
    return {
      type: 'vit',
      imageSize: v.image_size,
      patchSize: v.patch_size,
      width: v.width,
      layers: v.layers,
      heads: Math.floor(v.width / v.head_width),
      mlpWidth: Math.trunc(v.width * v.mlp_ratio),
      layerNormEps: OPEN_CLIP_LAYER_NORM_EPS,
      activation: model.quickGelu ? 'quick_gelu' : 'gelu',
    };
  },

  write(section) {
    if (section.layerNormEps !== OPEN_CLIP_LAYER_NORM_EPS) throw unsupported('layerNormEps', `LayerNorm epsilon ${section.layerNormEps} is not 1e-5`);
    if (section.width % section.heads !== 0) throw unsupported('heads', `${section.heads} heads do not divide width ${section.width}`);
    // open_clip derives the MLP width as int(width x mlp_ratio): the ratio must give back exactly mlpWidth.
    const mlpRatio = section.mlpWidth / section.width;
    if (Math.trunc(section.width * mlpRatio) !== section.mlpWidth)
      throw unsupported('mlpWidth', `mlpWidth ${section.mlpWidth} is not int(width x mlp_ratio) in floating point for mlp_ratio = mlpWidth / width`);
    return {
      cfg: {
        image_size: section.imageSize,
        layers: section.layers,
        width: section.width,
        patch_size: section.patchSize,
        head_width: section.width / section.heads,
        mlp_ratio: mlpRatio,
      },
      quickGelu: section.activation === 'quick_gelu',
    };
  },
};
