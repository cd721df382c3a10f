import type { z } from '@clipkit/core';
import { onlyDefault } from './read-foreign-config.js';

/**
 * The options of open_clip's CLIPVisionCfg (model.py) that change the maths in ways clipkit's image towers
 * do not implement, each accepted only at its default. Shared by the ViT and ModifiedResNet readers, which
 * read one vision_cfg. Its type names zod through @clipkit/core's `z`, so the published declarations do not
 * import zod, which is core's dependency, not this package's.
 */
export const openClipVisionOptions = {
  ls_init_value: onlyDefault(null, 'LayerScale'),
  patch_dropout: onlyDefault(0, 'patch dropout'),
  attentional_pool: onlyDefault(false, 'attentional pooling'),
  no_ln_pre: onlyDefault(false, 'removing ln_pre'),
  pos_embed_type: onlyDefault('learnable', 'sin-cos position embedding'),
  final_ln_after_pool: onlyDefault(false, 'LayerNorm after pooling'),
  pool_type: onlyDefault('tok', 'pooling other than the class token'),
  output_tokens: onlyDefault(false, 'token outputs'),
  act_kwargs: onlyDefault(null, 'activation options'),
  norm_kwargs: onlyDefault(null, 'norm options'),
  timm_model_name: onlyDefault(null, 'timm towers'),
} satisfies Record<string, z.ZodDefault<z.ZodUnknown>>;
