import type { ConfigProblem } from '../errors.js';
import type { ModelConfig, ResNetConfig, TextTransformerConfig, VitConfig } from './clip-config.js';
import { modelConfigField } from './clip-config-schema.js';
import { booleanField, childPath, type Field, integerField, listField, nullable, numberField, objectField, stringField, withDefault } from './fields.js';

/**
 * open_clip's model config (src/open_clip/model_configs/*.json: embed_dim, quick_gelu, vision_cfg,
 * text_cfg), converted to clipkit's ModelConfig. Options that change the maths in ways clipkit does not
 * implement are accepted only at their open_clip defaults, so a config clipkit cannot honour fails
 * loudly instead of loading into a different model. init_logit_scale / init_logit_bias / cast_dtype are
 * accepted and ignored: clipkit takes initial logit values from the `loss` section, pretrained ones
 * from the weights, and always computes in float32.
 */

/** An open_clip option clipkit supports only at this (default) value. */
function onlyDefault<T>(value: T, feature: string): Field<T> {
  const expected = JSON.stringify(value);
  return withDefault(
    {
      parse(v, path, problems) {
        if (JSON.stringify(v) === expected) return v as T;
        problems.push({ path, message: `clipkit supports only ${expected} here (${feature} is not implemented)`, value: v });
        return undefined;
      },
    },
    value,
  );
}

const anything: Field<unknown> = withDefault({ parse: (v) => v }, null);

interface OpenClipVisionCfg {
  layers: number | number[];
  width: number;
  head_width: number;
  mlp_ratio: number;
  patch_size: number | null;
  image_size: number;
  ls_init_value: null;
  patch_dropout: number;
  attentional_pool: boolean;
  no_ln_pre: boolean;
  pos_embed_type: string;
  final_ln_after_pool: boolean;
  pool_type: string;
  output_tokens: boolean;
  act_kwargs: null;
  norm_kwargs: null;
  timm_model_name: null;
}

interface OpenClipTextCfg {
  context_length: number;
  vocab_size: number;
  width: number;
  heads: number;
  layers: number;
  mlp_ratio: number;
  ls_init_value: null;
  hf_tokenizer_name: null;
  hf_model_name: null;
  tokenizer_kwargs: unknown;
  embed_cls: boolean;
  pad_id: number;
  no_causal_mask: boolean;
  final_ln_after_pool: boolean;
  pool_type: string;
  proj_type: string;
  proj_bias: boolean;
  output_tokens: boolean;
  act_kwargs: null;
  norm_kwargs: null;
}

interface OpenClipModelConfig {
  embed_dim: number;
  quick_gelu: boolean;
  vision_cfg: OpenClipVisionCfg;
  text_cfg: OpenClipTextCfg;
  cast_dtype: string | null;
  init_logit_scale: unknown;
  init_logit_bias: unknown;
  custom_text: boolean;
}

const positive = () => integerField({ min: 1 });
const visionLayers: Field<number | number[]> = {
  parse(v, path, problems) {
    if (Array.isArray(v)) return listField(positive(), { minLength: 4, maxLength: 4 }).parse(v, path, problems);
    return positive().parse(v, path, problems);
  },
};

const openClipField = objectField<OpenClipModelConfig>({
  embed_dim: positive(),
  quick_gelu: withDefault(booleanField(), false),
  vision_cfg: objectField<OpenClipVisionCfg>({
    layers: withDefault(visionLayers, 12),
    width: withDefault(positive(), 768),
    head_width: withDefault(positive(), 64),
    mlp_ratio: withDefault(numberField({ above: 0 }), 4.0),
    patch_size: withDefault(nullable(positive()), 16),
    image_size: withDefault(positive(), 224),
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
  }),
  text_cfg: objectField<OpenClipTextCfg>({
    context_length: withDefault(integerField({ min: 2 }), 77),
    vocab_size: withDefault(positive(), 49408),
    width: withDefault(positive(), 512),
    heads: withDefault(positive(), 8),
    layers: withDefault(positive(), 12),
    mlp_ratio: withDefault(numberField({ above: 0 }), 4.0),
    ls_init_value: onlyDefault(null, 'LayerScale'),
    hf_tokenizer_name: onlyDefault(null, 'Hugging Face tokenizers'),
    hf_model_name: onlyDefault(null, 'Hugging Face text towers'),
    tokenizer_kwargs: anything,
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
  }),
  cast_dtype: withDefault(nullable(stringField()), null),
  init_logit_scale: anything,
  init_logit_bias: anything,
  custom_text: withDefault(booleanField(), false),
});

/** True when a `model` section is written in open_clip's schema. */
export function isOpenClipModelConfig(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'embed_dim' in json;
}

function convert(c: OpenClipModelConfig, path: string, problems: ConfigProblem[]): ModelConfig | undefined {
  const activation = c.quick_gelu ? 'quick_gelu' : 'gelu';
  const v = c.vision_cfg;
  let vision: VitConfig | ResNetConfig;
  // open_clip itself picks ModifiedResNet when vision_cfg.layers is a list; the format leaves no other way.
  if (Array.isArray(v.layers)) {
    vision = { type: 'resnet', imageSize: v.image_size, layers: v.layers as ResNetConfig['layers'], width: v.width, heads: Math.floor((v.width * 32) / v.head_width) };
  } else {
    if (v.patch_size === null) {
      problems.push({ path: childPath(path, 'vision_cfg.patch_size'), message: 'is required for a Vision Transformer (vision_cfg.layers is a number)', value: null });
      return undefined;
    }
    vision = {
      type: 'vit',
      imageSize: v.image_size,
      patchSize: v.patch_size,
      width: v.width,
      layers: v.layers,
      heads: Math.floor(v.width / v.head_width),
      mlpWidth: Math.trunc(v.width * v.mlp_ratio),
      layerNormEps: 1e-5,
      activation,
    };
  }
  const t = c.text_cfg;
  const text: TextTransformerConfig = {
    type: 'transformer',
    contextLength: t.context_length,
    vocabSize: t.vocab_size,
    width: t.width,
    heads: t.heads,
    layers: t.layers,
    mlpWidth: Math.trunc(t.width * t.mlp_ratio),
    layerNormEps: 1e-5,
    activation,
    eosTokenId: null,
  };
  // Re-validate in clipkit's terms (heads divide width, patch divides image, ...).
  return modelConfigField.parse({ embedDim: c.embed_dim, vision, text }, path, problems);
}

export const openClipModelConfigField: Field<ModelConfig> = {
  parse(value, path, problems) {
    const before = problems.length;
    const parsed = openClipField.parse(value, path, problems);
    if (parsed === undefined || problems.length !== before) return undefined;
    return convert(parsed, path, problems);
  },
};
