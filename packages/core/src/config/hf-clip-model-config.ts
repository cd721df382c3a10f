import type { ConfigProblem } from '../errors.js';
import type { Activation, ModelConfig } from './clip-config.js';
import { modelConfigField } from './clip-config-schema.js';
import { childPath, type Field, integerField, numberField, oneOf } from './fields.js';

/**
 * A Hugging Face CLIP `config.json` (CLIPModel: projection_dim, text_config, vision_config), converted to
 * clipkit's ModelConfig. Only the fields that define the maths are read, with transformers' defaults when
 * absent; the many generic PretrainedConfig keys (architectures, torch_dtype, dropout, ...) are ignored.
 */

/** True when a `model` section is a Hugging Face CLIP config. */
export function isHfClipConfig(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const j = json as Record<string, unknown>;
  return j.model_type === 'clip' || 'vision_config' in j || 'text_config' in j;
}

type Section = Record<string, unknown>;

function read<T>(section: Section, key: string, field: Field<T>, fallback: T, path: string, problems: ConfigProblem[]): T {
  const value = section[key];
  if (value === undefined || value === null) return fallback;
  return field.parse(value, childPath(path, key), problems) ?? fallback;
}

function section(json: Section, key: string, path: string, problems: ConfigProblem[]): Section {
  const value = json[key];
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Section;
  problems.push({ path: childPath(path, key), message: 'must be a JSON object', value });
  return {};
}

const positive = integerField({ min: 1 });
// transformers' "gelu" is the exact erf GELU; "gelu_new"/"gelu_pytorch_tanh" (tanh approximations) are not CLIP's.
const hiddenAct = oneOf(['quick_gelu', 'gelu'] as const);
const eps = numberField({ above: 0, max: 0.1 });

export const hfClipModelConfigField: Field<ModelConfig> = {
  parse(value, path, problems) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ path, message: 'must be a JSON object', value });
      return undefined;
    }
    const json = value as Section;
    const before = problems.length;
    if (json.model_type !== undefined && json.model_type !== 'clip') {
      problems.push({ path: childPath(path, 'model_type'), message: 'must be "clip" (clipkit reads CLIPModel configs)', value: json.model_type });
    }
    const vPath = childPath(path, 'vision_config');
    const tPath = childPath(path, 'text_config');
    const v = section(json, 'vision_config', path, problems);
    const t = section(json, 'text_config', path, problems);
    const channels = read(v, 'num_channels', positive, 3, vPath, problems);
    if (channels !== 3) problems.push({ path: childPath(vPath, 'num_channels'), message: 'must be 3 (RGB)', value: channels });
    const vWidth = read(v, 'hidden_size', positive, 768, vPath, problems);
    const tWidth = read(t, 'hidden_size', positive, 512, tPath, problems);
    const eosTokenId = read(t, 'eos_token_id', integerField({ min: 0 }), 49407, tPath, problems);
    const model = {
      embedDim: read(json, 'projection_dim', positive, 512, path, problems),
      vision: {
        type: 'vit',
        imageSize: read(v, 'image_size', positive, 224, vPath, problems),
        patchSize: read(v, 'patch_size', positive, 32, vPath, problems),
        width: vWidth,
        layers: read(v, 'num_hidden_layers', positive, 12, vPath, problems),
        heads: read(v, 'num_attention_heads', positive, 12, vPath, problems),
        mlpWidth: read(v, 'intermediate_size', positive, 3072, vPath, problems),
        layerNormEps: read(v, 'layer_norm_eps', eps, 1e-5, vPath, problems),
        activation: read<Activation>(v, 'hidden_act', hiddenAct, 'quick_gelu', vPath, problems),
      },
      text: {
        type: 'transformer',
        contextLength: read(t, 'max_position_embeddings', integerField({ min: 2 }), 77, tPath, problems),
        vocabSize: read(t, 'vocab_size', positive, 49408, tPath, problems),
        width: tWidth,
        heads: read(t, 'num_attention_heads', positive, 8, tPath, problems),
        layers: read(t, 'num_hidden_layers', positive, 12, tPath, problems),
        mlpWidth: read(t, 'intermediate_size', positive, 2048, tPath, problems),
        layerNormEps: read(t, 'layer_norm_eps', eps, 1e-5, tPath, problems),
        activation: read<Activation>(t, 'hidden_act', hiddenAct, 'quick_gelu', tPath, problems),
        // transformers pools at argmax(input_ids) only for legacy configs with eos_token_id 2, else at the first eos.
        eosTokenId: eosTokenId === 2 ? null : eosTokenId,
      },
    };
    if (problems.length !== before) return undefined;
    return modelConfigField.parse(model, path, problems);
  },
};
