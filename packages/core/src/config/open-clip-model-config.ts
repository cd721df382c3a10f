import type { AnyClipPlugin } from '../di/plugin.js';
import type { SectionPath } from '../di/slots.js';
import type { ConfigProblem } from '../errors.js';

type Json = Record<string, unknown>;

/** Model-wide keys of open_clip's model config that core reads (the towers read vision_cfg / text_cfg). */
const OPEN_CLIP_MODEL_KEYS = new Set(['embed_dim', 'quick_gelu', 'vision_cfg', 'text_cfg', 'cast_dtype', 'init_logit_scale', 'init_logit_bias', 'custom_text']);

export function asJsonObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** True when a `model` section is written in open_clip's schema. */
export function isOpenClipModelConfig(json: unknown): boolean {
  return asJsonObject(json)?.embed_dim !== undefined;
}

/** The tower formats the plug-ins of one section declare. */
export function towerFormats<K extends 'openClip' | 'huggingface'>(
  plugins: readonly AnyClipPlugin[],
  section: SectionPath,
  kind: K,
): { type: string; format: NonNullable<NonNullable<AnyClipPlugin['formats']>[K]> }[] {
  const out: { type: string; format: NonNullable<NonNullable<AnyClipPlugin['formats']>[K]> }[] = [];
  for (const plugin of plugins) {
    const format = plugin.formats?.[kind];
    if (plugin.slot.section === section && format && !out.some((f) => f.type === plugin.type)) out.push({ type: plugin.type, format });
  }
  return out;
}

/**
 * open_clip's model config (embed_dim, quick_gelu, vision_cfg, text_cfg, init_logit_scale, init_logit_bias)
 * as clipkit's `model` section: each tower cfg is read by the first tower plug-in that claims it (so a
 * tower package teaches clipkit its open_clip layout). cast_dtype and custom_text are accepted and ignored
 * (clipkit computes in float32; custom_text only moves where open_clip keeps the text tower).
 */
export function readOpenClipModelConfig(json: Json, plugins: readonly AnyClipPlugin[], problems: ConfigProblem[], path: string): Json | undefined {
  const before = problems.length;
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  for (const key of Object.keys(json)) {
    if (!OPEN_CLIP_MODEL_KEYS.has(key)) problems.push({ path: at(key), message: `unknown key; open_clip model configs have ${[...OPEN_CLIP_MODEL_KEYS].join(', ')}` });
  }
  const quickGelu = json.quick_gelu ?? false;
  if (typeof quickGelu !== 'boolean') problems.push({ path: at('quick_gelu'), message: 'must be true or false', value: quickGelu });
  const options = { quickGelu: quickGelu === true, embedDim: json.embed_dim as number };
  const tower = (key: 'vision_cfg' | 'text_cfg', section: SectionPath) => {
    const cfg = asJsonObject(json[key] ?? {});
    if (!cfg) {
      problems.push({ path: at(key), message: 'must be a JSON object', value: json[key] });
      return undefined;
    }
    const towerProblems: ConfigProblem[] = [];
    for (const { format } of towerFormats(plugins, section, 'openClip')) {
      const read = format.read(cfg, options, towerProblems);
      if (read !== undefined || towerProblems.length > 0) {
        problems.push(...towerProblems.map((p) => ({ ...p, path: `${at(key)}.${p.path}` })));
        return read;
      }
    }
    problems.push({
      path: at(key),
      message: `no tower plug-in reads this open_clip ${key} (the plug-ins given read: ${
        towerFormats(plugins, section, 'openClip')
          .map((f) => f.type)
          .join(', ') || 'none'
      })`,
    });
    return undefined;
  };
  const vision = tower('vision_cfg', 'model.vision');
  const text = tower('text_cfg', 'model.text');
  if (problems.length !== before) return undefined;
  const logitScale = typeof json.init_logit_scale === 'number' ? json.init_logit_scale : undefined;
  const logitBias = typeof json.init_logit_bias === 'number' ? json.init_logit_bias : undefined;
  return { embedDim: json.embed_dim, vision, text, ...(logitScale === undefined ? {} : { logitScale }), ...(logitBias === undefined ? {} : { logitBias }) };
}
