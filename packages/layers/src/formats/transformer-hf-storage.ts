import type { HfStorage } from '@clipkit/core';

/** Per residual block: OpenAI name (after `resblocks.{i}.`) -> transformers' CLIPEncoderLayer name (after `layers.{i}.`). */
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

const BLOCK = /^resblocks\.(\d+)\.(.+)$/;

/**
 * Where a weight of the Transformer (`resblocks.{i}.*`, relative to it) is stored in a transformers
 * checkpoint whose CLIPEncoder sits at `encoderPrefix` (e.g. "vision_model.encoder."), as
 * convert_clip_original_pytorch_to_hf.py writes it in reverse: nn.MultiheadAttention's packed in_proj is
 * split into q_proj, k_proj, v_proj; everything else is renamed. Undefined for names it does not hold.
 */
export function transformerHfStorage(name: string, encoderPrefix: string): HfStorage | undefined {
  const match = BLOCK.exec(name);
  if (!match) return undefined;
  const [, layer, rest] = match;
  const prefix = `${encoderPrefix}layers.${layer}.`;
  if (rest === 'attn.in_proj_weight' || rest === 'attn.in_proj_bias') {
    const suffix = rest.endsWith('weight') ? 'weight' : 'bias';
    return { kind: 'split-qkv', names: [`${prefix}self_attn.q_proj.${suffix}`, `${prefix}self_attn.k_proj.${suffix}`, `${prefix}self_attn.v_proj.${suffix}`] };
  }
  const hf = BLOCK_NAMES[rest];
  return hf === undefined ? undefined : { kind: 'rename', name: prefix + hf };
}
