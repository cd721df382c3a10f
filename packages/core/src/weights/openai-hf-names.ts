import { ClipkitError } from '../errors.js';

/**
 * How one tensor of an OpenAI/open_clip CLIP state dict is stored in a Hugging Face transformers
 * CLIPModel checkpoint (transformers convert_clip_original_pytorch_to_hf.py, in reverse):
 * - `rename`: the same values under another name;
 * - `transpose`: the projections, stored by OpenAI as parameters [in, out] used as `x @ proj`, are HF
 *   Linear weights [out, in];
 * - `split-qkv`: nn.MultiheadAttention's packed in_proj [3D, ...] is q_proj, k_proj, v_proj [D, ...] in that order.
 */
export type HfStorage = { kind: 'rename'; name: string } | { kind: 'transpose'; name: string } | { kind: 'split-qkv'; names: readonly [string, string, string] };

/** Per residual block: OpenAI name (after `resblocks.{i}.`) -> HF name (after `layers.{i}.`). */
const BLOCK_NAMES: Readonly<Record<string, string>> = {
  'attn.out_proj.weight': 'self_attn.out_proj.weight',
  'attn.out_proj.bias': 'self_attn.out_proj.bias',
  'ln_1.weight': 'layer_norm1.weight',
  'ln_1.bias': 'layer_norm1.bias',
  'ln_2.weight': 'layer_norm2.weight',
  'ln_2.bias': 'layer_norm2.bias',
  'mlp.c_fc.weight': 'mlp.fc1.weight',
  'mlp.c_fc.bias': 'mlp.fc1.bias',
  'mlp.c_proj.weight': 'mlp.fc2.weight',
  'mlp.c_proj.bias': 'mlp.fc2.bias',
};

/** Whole-model tensors outside the residual blocks. `pre_layrnorm` is transformers' own spelling. */
const TOP_NAMES: Readonly<Record<string, HfStorage>> = {
  logit_scale: { kind: 'rename', name: 'logit_scale' },
  'visual.class_embedding': { kind: 'rename', name: 'vision_model.embeddings.class_embedding' },
  'visual.conv1.weight': { kind: 'rename', name: 'vision_model.embeddings.patch_embedding.weight' },
  'visual.positional_embedding': { kind: 'rename', name: 'vision_model.embeddings.position_embedding.weight' },
  'visual.ln_pre.weight': { kind: 'rename', name: 'vision_model.pre_layrnorm.weight' },
  'visual.ln_pre.bias': { kind: 'rename', name: 'vision_model.pre_layrnorm.bias' },
  'visual.ln_post.weight': { kind: 'rename', name: 'vision_model.post_layernorm.weight' },
  'visual.ln_post.bias': { kind: 'rename', name: 'vision_model.post_layernorm.bias' },
  'visual.proj': { kind: 'transpose', name: 'visual_projection.weight' },
  'token_embedding.weight': { kind: 'rename', name: 'text_model.embeddings.token_embedding.weight' },
  positional_embedding: { kind: 'rename', name: 'text_model.embeddings.position_embedding.weight' },
  'ln_final.weight': { kind: 'rename', name: 'text_model.final_layer_norm.weight' },
  'ln_final.bias': { kind: 'rename', name: 'text_model.final_layer_norm.bias' },
  text_projection: { kind: 'transpose', name: 'text_projection.weight' },
};

const BLOCK = /^(visual\.)?transformer\.resblocks\.(\d+)\.(.+)$/;

/** Where an OpenAI-named tensor lives in a HF CLIPModel checkpoint; undefined for names HF CLIP has no place for (ResNet towers, logit_bias). */
export function hfStorageOf(openAiName: string): HfStorage | undefined {
  const top = TOP_NAMES[openAiName];
  if (top) return top;
  const match = BLOCK.exec(openAiName);
  if (!match) return undefined;
  const [, visual, layer, rest] = match;
  const prefix = `${visual ? 'vision_model' : 'text_model'}.encoder.layers.${layer}.`;
  if (rest === 'attn.in_proj_weight' || rest === 'attn.in_proj_bias') {
    const suffix = rest.endsWith('weight') ? 'weight' : 'bias';
    return { kind: 'split-qkv', names: [`${prefix}self_attn.q_proj.${suffix}`, `${prefix}self_attn.k_proj.${suffix}`, `${prefix}self_attn.v_proj.${suffix}`] };
  }
  const hf = BLOCK_NAMES[rest];
  return hf === undefined ? undefined : { kind: 'rename', name: prefix + hf };
}

/** Like hfStorageOf, but a tensor HF CLIP cannot hold is an error saying which layouts can. */
export function requireHfStorage(openAiName: string): HfStorage {
  const storage = hfStorageOf(openAiName);
  if (storage) return storage;
  const why = openAiName.startsWith('visual.') ? 'Hugging Face CLIPModel has only Vision Transformer image towers' : 'Hugging Face CLIPModel has no such tensor';
  throw new ClipkitError(`cannot save "${openAiName}" in the Hugging Face layout: ${why}. Save in the "open_clip" or "clipkit" layout instead.`);
}

/** Every HF name a storage reads or writes. */
export function hfNamesOf(storage: HfStorage): readonly string[] {
  return storage.kind === 'split-qkv' ? storage.names : [storage.name];
}

/** Buffers transformers saved in older checkpoints that hold no weights (the integers 0..L-1). */
export function isHfPositionIds(hfName: string): boolean {
  return hfName.endsWith('embeddings.position_ids');
}
