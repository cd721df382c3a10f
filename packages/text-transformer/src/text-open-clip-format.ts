import { ClipkitError, type OpenClipTowerFormat, z } from '@clipkit/core';
import { onlyDefault, readForeignConfig } from '@clipkit/layers';
import type { TextTransformerConfig } from './text-transformer-schema.js';

/** open_clip hard-codes this LayerNorm epsilon (it has no field for it without norm_kwargs). */
const OPEN_CLIP_LAYER_NORM_EPS = 1e-5;

/** open_clip's CLIPTextCfg (model.py), with open_clip's defaults; options clipkit does not implement only at their defaults. */
const textCfgSchema = z.strictObject({
  context_length: z.int().min(2).default(77),
  vocab_size: z.int().min(1).default(49408),
  width: z.int().min(1).default(512),
  heads: z.int().min(1).default(8),
  layers: z.int().min(1).default(12),
  mlp_ratio: z.number().gt(0).default(4),
  ls_init_value: onlyDefault(null, 'LayerScale'),
  hf_tokenizer_name: onlyDefault(null, 'Hugging Face tokenizers'),
  hf_model_name: onlyDefault(null, 'Hugging Face text towers'),
  // Options of the tokenizer (e.g. clean: "whitespace"), which is configured in clipkit's own `tokenizer` section.
  tokenizer_kwargs: z.unknown().optional(),
  embed_cls: onlyDefault(false, 'a learned CLS token'),
  pad_id: onlyDefault(0, 'padding ids other than 0'),
  no_causal_mask: onlyDefault(false, 'a text tower without causal mask'),
  final_ln_after_pool: onlyDefault(false, 'LayerNorm after pooling'),
  pool_type: onlyDefault('argmax', 'text pooling other than argmax'),
  proj_type: onlyDefault('linear', 'MLP text projections'),
  proj_bias: onlyDefault(false, 'a text projection bias'),
  output_tokens: onlyDefault(false, 'token outputs'),
  act_kwargs: onlyDefault(null, 'activation options'),
  norm_kwargs: onlyDefault(null, 'norm options'),
});

function unsupported(field: string, why: string): ClipkitError {
  return new ClipkitError(`model.text.${field}: ${why}, which open_clip's config cannot express; save in the "clipkit" layout instead`);
}

/**
 * The text tower's `text_cfg` in open_clip's model configs: MLP width = int(width x mlp_ratio), `quick_gelu`
 * picks the activation, features pooled at the argmax of the ids (open_clip's pool_type "argmax").
 */
export const textOpenClipFormat: OpenClipTowerFormat<TextTransformerConfig> = {
  read(cfg, model, problems) {
    const t = readForeignConfig(textCfgSchema, cfg, problems);
    if (!t) return undefined;
    return {
      type: 'transformer',
      contextLength: t.context_length,
      vocabSize: t.vocab_size,
      width: t.width,
      heads: t.heads,
      layers: t.layers,
      mlpWidth: Math.trunc(t.width * t.mlp_ratio),
      layerNormEps: OPEN_CLIP_LAYER_NORM_EPS,
      activation: model.quickGelu ? 'quick_gelu' : 'gelu',
      eosTokenId: null,
    };
  },

  write(section) {
    if (section.layerNormEps !== OPEN_CLIP_LAYER_NORM_EPS) throw unsupported('layerNormEps', `LayerNorm epsilon ${section.layerNormEps} is not 1e-5`);
    if (section.eosTokenId !== null) throw unsupported('eosTokenId', `text features are pooled at the first token ${section.eosTokenId}, not at the largest id`);
    // open_clip derives the MLP width as int(width x mlp_ratio): the ratio must give back exactly mlpWidth.
    const mlpRatio = section.mlpWidth / section.width;
    if (Math.trunc(section.width * mlpRatio) !== section.mlpWidth)
      throw unsupported('mlpWidth', `mlpWidth ${section.mlpWidth} is not int(width x mlp_ratio) in floating point for mlp_ratio = mlpWidth / width`);
    return {
      cfg: {
        context_length: section.contextLength,
        vocab_size: section.vocabSize,
        width: section.width,
        heads: section.heads,
        layers: section.layers,
        mlp_ratio: mlpRatio,
      },
      quickGelu: section.activation === 'quick_gelu',
    };
  },
};
