import type { HfTowerFormat } from '../components/tower-formats.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { ClipkitError } from '../errors.js';
import type { ModelConfig } from './clip-config.js';
import { towerFormats } from './open-clip-model-config.js';

/** The Hugging Face formats of a model's two towers; both must belong to the same transformers model type. */
export function hfTowerFormats(model: ModelConfig, plugins: readonly AnyClipPlugin[]): { vision: HfTowerFormat; text: HfTowerFormat } {
  const vision = towerFormats(plugins, 'model.vision', 'huggingface').find((f) => f.type === model.vision.type)?.format;
  const text = towerFormats(plugins, 'model.text', 'huggingface').find((f) => f.type === model.text.type)?.format;
  if (!vision || !text || vision.modelType !== text.modelType) {
    const pair = `a ${model.vision.type} image tower with a ${model.text.type} text tower`;
    throw new ClipkitError(`model: transformers has no model with ${pair}; save it in the "open_clip" or "clipkit" layout`);
  }
  return { vision, text };
}

/**
 * clipkit's ModelConfig as a Hugging Face `config.json` (e.g. CLIPModel, SiglipModel), the inverse of reading
 * one: parsing the result gives back the same ModelConfig.
 */
export function toHfModelConfig(model: ModelConfig, plugins: readonly AnyClipPlugin[]): Record<string, unknown> {
  const formats = hfTowerFormats(model, plugins);
  const vision = formats.vision.write(model.vision, model.embedDim);
  const text = formats.text.write(model.text, model.embedDim);
  return {
    architectures: [formats.vision.architecture],
    model_type: formats.vision.modelType,
    ...vision.top,
    ...text.top,
    // transformers' CLIPConfig keeps the initial log scale here; the trained one is in the weights.
    logit_scale_init_value: model.logitScale,
    torch_dtype: 'float32',
    text_config: text.sub,
    vision_config: vision.sub,
  };
}
