import { ClipkitError, type OpenClipTowerFormat, z } from '@clipkit/core';
import { openClipVisionOptions, readForeignConfig } from '@clipkit/layers';
import type { ResNetConfig } from './resnet-schema.js';

/** open_clip's CLIPVisionCfg (model.py) as its ModifiedResNet reads it, with open_clip's defaults. */
const resnetCfgSchema = z.strictObject({
  layers: z.tuple([z.int().min(1), z.int().min(1), z.int().min(1), z.int().min(1)]),
  width: z.int().min(1).default(768),
  head_width: z.int().min(1).default(64),
  // ViT fields that open_clip's ModifiedResNet does not read.
  mlp_ratio: z.number().gt(0).default(4),
  patch_size: z.int().min(1).nullable().default(16),
  image_size: z.int().min(1).default(224),
  ...openClipVisionOptions,
});

/**
 * The ModifiedResNet's `vision_cfg` in open_clip's model configs: open_clip builds a ModifiedResNet when
 * `vision_cfg.layers` is a list (the format has no other marker), with width x 32 // head_width attention-pool
 * heads. The tower has no transformer, so `quick_gelu` does not concern it.
 */
export const resnetOpenClipFormat: OpenClipTowerFormat<ResNetConfig> = {
  read(cfg, _model, problems) {
    if (!Array.isArray(cfg.layers)) return undefined;
    const v = readForeignConfig(resnetCfgSchema, cfg, problems);
    if (!v) return undefined;
    return { type: 'resnet', imageSize: v.image_size, layers: v.layers, width: v.width, heads: Math.floor((v.width * 32) / v.head_width) };
  },

  write(section) {
    const poolWidth = section.width * 32;
    const headWidth = poolWidth / section.heads;
    if (!Number.isInteger(headWidth)) {
      throw new ClipkitError(
        `model.vision.heads: ${section.heads} heads do not divide the attention pool width ${poolWidth}, which open_clip's config cannot express; save in the "clipkit" layout instead`,
      );
    }
    return { cfg: { image_size: section.imageSize, layers: [...section.layers], width: section.width, patch_size: null, head_width: headWidth } };
  },
};
