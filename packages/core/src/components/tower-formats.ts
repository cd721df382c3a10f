import type { PluginSection } from '../config/clip-config.js';
import type { ConfigProblem } from '../errors.js';

/**
 * How one tensor of a tower's state dict is stored in a Hugging Face transformers checkpoint:
 * - `rename`: the same values under another name;
 * - `transpose`: a matrix the tower keeps [in, out] (OpenAI's projections, used as `x @ proj`) stored as a
 *   Linear weight [out, in];
 * - `split-qkv`: nn.MultiheadAttention's packed in_proj [3D, ...] stored as q_proj, k_proj, v_proj [D, ...].
 */
export type HfStorage =
  | { readonly kind: 'rename'; readonly name: string }
  | { readonly kind: 'transpose'; readonly name: string }
  | { readonly kind: 'split-qkv'; readonly names: readonly [string, string, string] };

/** Model-wide options of an open_clip model config that towers read. */
export interface OpenClipModelOptions {
  /** `quick_gelu`: QuickGELU in both towers (open_clip's default false: exact GELU). */
  readonly quickGelu: boolean;
  readonly embedDim: number;
}

/** A tower's part of open_clip's model config (src/open_clip/model_configs/*.json: `vision_cfg` or `text_cfg`). */
export interface OpenClipTowerFormat<S extends PluginSection = PluginSection> {
  /**
   * The tower's section (unvalidated JSON, validated afterwards by the plug-in's schema) for an open_clip
   * cfg, or undefined when this tower does not read that cfg (e.g. open_clip builds a ModifiedResNet when
   * `vision_cfg.layers` is a list). Options it does not implement are problems (paths relative to the cfg),
   * so a config clipkit cannot honour fails instead of loading into a different model.
   */
  read(cfg: Readonly<Record<string, unknown>>, model: OpenClipModelOptions, problems: ConfigProblem[]): Record<string, unknown> | undefined;
  /** The cfg for a section; `quickGelu` when the tower has an activation. Throws a ClipkitError naming what open_clip cannot express. */
  write(section: S): { cfg: Record<string, unknown>; quickGelu?: boolean };
}

/** A tower's part of a Hugging Face config.json and checkpoint. */
export interface HfTowerFormat<S extends PluginSection = PluginSection> {
  /** transformers' `model_type` of the models this tower belongs to, e.g. "clip" or "siglip". */
  readonly modelType: string;
  /** The model class written in `architectures`, e.g. "CLIPModel". */
  readonly architecture: string;
  /**
   * The section from the tower's sub-config (`vision_config` or `text_config`; hub configs list only
   * non-default keys, so transformers' defaults apply), and the joint embedding width when the tower
   * defines it (SigLIP has no projection_dim). Problems have paths relative to the sub-config.
   */
  read(
    sub: Readonly<Record<string, unknown>>,
    whole: Readonly<Record<string, unknown>>,
    problems: ConfigProblem[],
  ): { section: Record<string, unknown>; embedDim?: number } | undefined;
  /** The sub-config for a section, and top-level keys it needs (e.g. projection_dim). Throws a ClipkitError for what transformers cannot express. */
  write(section: S, embedDim: number): { sub: Record<string, unknown>; top?: Record<string, unknown> };
  /** Image towers: whether the transformers model has a `logit_bias` parameter (SiglipModel does, CLIPModel not). */
  readonly hasLogitBias?: boolean;
  /** Text towers: the `tokenizer.type` a Hugging Face folder of this model uses. Default "clip-bpe". */
  readonly tokenizer?: string;
  /** Where a tower state-dict name is stored in a transformers checkpoint; undefined when it has no place there. */
  storage(name: string): HfStorage | undefined;
}

/** Every name a storage reads or writes. */
export function hfNamesOf(storage: HfStorage): readonly string[] {
  return storage.kind === 'split-qkv' ? storage.names : [storage.name];
}
