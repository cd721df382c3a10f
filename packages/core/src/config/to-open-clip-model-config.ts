import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';
import type { ModelConfig, PluginSection } from './clip-config.js';
import { CLIP_LOGIT_SCALE } from './compose-config-schema.js';
import { towerFormats } from './open-clip-model-config.js';

/** An open_clip model config (src/open_clip/model_configs/*.json schema). */
export interface OpenClipModelConfigJson {
  embed_dim: number;
  quick_gelu: boolean;
  vision_cfg: Record<string, unknown>;
  text_cfg: Record<string, unknown>;
  init_logit_scale?: number;
  init_logit_bias?: number;
}

function writer(plugins: readonly AnyClipPlugin[], section: 'model.vision' | 'model.text', tower: PluginSection) {
  const format = towerFormats(plugins, section, 'openClip').find((f) => f.type === tower.type)?.format;
  if (!format) throw new ClipkitError(`${section}.type "${tower.type}" has no open_clip layout; save in the "clipkit" layout instead`);
  return format.write(tower);
}

/**
 * clipkit's ModelConfig as open_clip's model config, the inverse of reading one: each tower plug-in writes
 * its cfg. Throws a ClipkitError naming the field when the model uses something open_clip cannot describe
 * (e.g. different activations per tower: open_clip has one quick_gelu switch).
 */
export function toOpenClipModelConfig(model: ModelConfig, plugins: readonly AnyClipPlugin[]): OpenClipModelConfigJson {
  const vision = writer(plugins, 'model.vision', model.vision);
  const text = writer(plugins, 'model.text', model.text);
  if (vision.quickGelu !== undefined && text.quickGelu !== undefined && vision.quickGelu !== text.quickGelu) {
    throw new ClipkitError(
      'model.vision.activation: the towers use different activations, which open_clip\'s single quick_gelu switch cannot express; save in the "clipkit" layout instead',
    );
  }
  return {
    embed_dim: model.embedDim,
    quick_gelu: vision.quickGelu ?? text.quickGelu ?? false,
    vision_cfg: vision.cfg,
    text_cfg: text.cfg,
    // open_clip's CLIP defaults init_logit_scale to ln(1/0.07), as clipkit does; its SigLIP configs set it.
    ...(model.logitScale === CLIP_LOGIT_SCALE ? {} : { init_logit_scale: model.logitScale }),
    // open_clip creates the logit_bias parameter only when the config sets init_logit_bias (its SigLIP models).
    ...(model.logitBias === null ? {} : { init_logit_bias: model.logitBias }),
  };
}
