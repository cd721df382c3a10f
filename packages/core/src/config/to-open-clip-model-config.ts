import { ClipkitError } from '../errors.js';
import type { ModelConfig } from './clip-config.js';

/** An open_clip model config (src/open_clip/model_configs/*.json schema). */
export interface OpenClipModelConfigJson {
  embed_dim: number;
  quick_gelu: boolean;
  vision_cfg: Record<string, unknown>;
  text_cfg: Record<string, unknown>;
}

/** open_clip hard-codes this LayerNorm epsilon (it has no field for it without norm_kwargs). */
const OPEN_CLIP_LAYER_NORM_EPS = 1e-5;

function unsupported(field: string, why: string): ClipkitError {
  return new ClipkitError(`model.${field}: ${why}, which open_clip's config cannot express; save in the "clipkit" layout instead`);
}

/** open_clip derives the MLP width as int(width x mlp_ratio): the ratio must give back exactly mlpWidth. */
function mlpRatio(width: number, mlpWidth: number, field: string): number {
  const ratio = mlpWidth / width;
  if (Math.trunc(width * ratio) !== mlpWidth) throw unsupported(field, `mlpWidth ${mlpWidth} is not int(width x ratio) for any float ratio`);
  return ratio;
}

/**
 * clipkit's ModelConfig as open_clip's model config, the inverse of openClipModelConfigField: parsing the
 * result gives back the same ModelConfig. Throws a ClipkitError naming the field when the model uses
 * something open_clip cannot describe (different activations per tower, another LayerNorm epsilon,
 * first-eos text pooling, head counts that are not width / head_width).
 */
export function toOpenClipModelConfig(model: ModelConfig): OpenClipModelConfigJson {
  const { vision, text } = model;
  // open_clip has one activation switch for both towers.
  if (vision.type === 'vit' && vision.activation !== text.activation) {
    throw unsupported('vision.activation', `the image tower uses ${vision.activation} and the text tower ${text.activation}`);
  }
  if (vision.type === 'vit' && vision.layerNormEps !== OPEN_CLIP_LAYER_NORM_EPS) throw unsupported('vision.layerNormEps', `LayerNorm epsilon ${vision.layerNormEps} is not 1e-5`);
  if (text.layerNormEps !== OPEN_CLIP_LAYER_NORM_EPS) throw unsupported('text.layerNormEps', `LayerNorm epsilon ${text.layerNormEps} is not 1e-5`);
  if (text.eosTokenId !== null) throw unsupported('text.eosTokenId', `text features are pooled at the first token ${text.eosTokenId}, not at the largest id`);

  let vision_cfg: Record<string, unknown>;
  if (vision.type === 'vit') {
    if (vision.width % vision.heads !== 0) throw unsupported('vision.heads', `${vision.heads} heads do not divide width ${vision.width}`);
    vision_cfg = {
      image_size: vision.imageSize,
      layers: vision.layers,
      width: vision.width,
      patch_size: vision.patchSize,
      head_width: vision.width / vision.heads,
      mlp_ratio: mlpRatio(vision.width, vision.mlpWidth, 'vision.mlpWidth'),
    };
  } else {
    // open_clip's ModifiedResNet has width x 32 // head_width attention-pool heads.
    const poolWidth = vision.width * 32;
    const headWidth = poolWidth / vision.heads;
    if (!Number.isInteger(headWidth)) throw unsupported('vision.heads', `${vision.heads} heads do not divide the attention pool width ${poolWidth}`);
    vision_cfg = { image_size: vision.imageSize, layers: [...vision.layers], width: vision.width, patch_size: null, head_width: headWidth };
  }
  return {
    embed_dim: model.embedDim,
    quick_gelu: text.activation === 'quick_gelu',
    vision_cfg,
    text_cfg: {
      context_length: text.contextLength,
      vocab_size: text.vocabSize,
      width: text.width,
      heads: text.heads,
      layers: text.layers,
      mlp_ratio: mlpRatio(text.width, text.mlpWidth, 'text.mlpWidth'),
    },
  };
}
