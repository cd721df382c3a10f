import type { AnyClipPlugin } from '../di/plugin.js';
import type { SectionPath } from '../di/slots.js';
import type { ConfigProblem } from '../errors.js';
import { asJsonObject, towerFormats } from './open-clip-model-config.js';

type Json = Record<string, unknown>;

/** transformers' config keys of each tower's sub-config. */
const SUB_CONFIGS: readonly [SectionPath, string][] = [
  ['model.vision', 'vision_config'],
  ['model.text', 'text_config'],
];

/** True when a `model` section is a Hugging Face config.json (a `model_type`, or the two tower sub-configs). */
export function isHfModelConfig(json: unknown): boolean {
  const j = asJsonObject(json);
  return j !== undefined && (typeof j.model_type === 'string' || 'vision_config' in j || 'text_config' in j);
}

/** The Hugging Face model types the plug-ins read (both towers), e.g. ["clip", "siglip"]. */
export function hfModelTypes(plugins: readonly AnyClipPlugin[]): string[] {
  const vision = new Set(towerFormats(plugins, 'model.vision', 'huggingface').map((f) => f.format.modelType));
  return [...new Set(towerFormats(plugins, 'model.text', 'huggingface').map((f) => f.format.modelType))].filter((t) => vision.has(t));
}

/**
 * A Hugging Face config.json as clipkit's `model` section: `model_type` picks the tower plug-ins whose
 * Hugging Face format has that model type, each reads its sub-config (`vision_config`, `text_config`).
 * Only the fields that define the maths are read; generic PretrainedConfig keys are ignored. A config
 * without model_type is read as "clip" (older exports).
 */
export function readHfModelConfig(json: Json, plugins: readonly AnyClipPlugin[], problems: ConfigProblem[], path: string): Json | undefined {
  const before = problems.length;
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  const modelType = json.model_type ?? 'clip';
  const known = hfModelTypes(plugins);
  if (typeof modelType !== 'string' || !known.includes(modelType)) {
    problems.push({
      path: at('model_type'),
      message: `no plug-in given reads Hugging Face model_type ${JSON.stringify(modelType)} (they read: ${known.join(', ') || 'none'})`,
      value: modelType,
    });
    return undefined;
  }
  const towers: Json = {};
  let embedDim = json.projection_dim;
  let hasLogitBias = false;
  for (const [section, key] of SUB_CONFIGS) {
    const sub = asJsonObject(json[key] ?? {});
    if (!sub) {
      problems.push({ path: at(key), message: 'must be a JSON object', value: json[key] });
      continue;
    }
    const format = towerFormats(plugins, section, 'huggingface').find((f) => f.format.modelType === modelType)!.format;
    if (section === 'model.vision') hasLogitBias = format.hasLogitBias === true;
    const towerProblems: ConfigProblem[] = [];
    const read = format.read(sub, json, towerProblems);
    problems.push(...towerProblems.map((p) => ({ ...p, path: `${at(key)}.${p.path}` })));
    if (!read) continue;
    towers[section === 'model.vision' ? 'vision' : 'text'] = read.section;
    embedDim ??= read.embedDim;
  }
  if (problems.length !== before) return undefined;
  // transformers' CLIPConfig default; SigLIP configs have no projection_dim (their towers give the width).
  embedDim ??= 512;
  const logitScale = typeof json.logit_scale_init_value === 'number' ? json.logit_scale_init_value : undefined;
  // A model with a logit bias (SiglipModel) says nothing of it in config.json: it starts at 0, as transformers'
  // _init_weights zeroes it, and the weights hold the trained value (so loading such a folder requires it).
  return { embedDim, ...towers, ...(logitScale === undefined ? {} : { logitScale }), ...(hasLogitBias ? { logitBias: 0 } : {}) };
}
