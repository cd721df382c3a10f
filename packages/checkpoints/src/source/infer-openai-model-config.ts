import { CheckpointError } from '../checkpoint-error.js';

type Shapes = ReadonlyMap<string, { readonly shape: readonly number[] }>;

/** OpenAI's archives hold these int64 scalars beside the weights; build_model deletes them before loading. */
export const OPENAI_NON_WEIGHTS: readonly string[] = ['input_resolution', 'context_length', 'vocab_size'];

/** OpenAI releases all use 64-wide attention heads: build_model divides the widths by 64, nothing in the file says so. */
const HEAD_WIDTH = 64;

/**
 * The architecture of an OpenAI CLIP state dict (a TorchScript archive as OpenAI released CLIP), read from
 * the weight shapes exactly as clip/model.py `build_model` does, written as the open_clip model config
 * that OpenAI's models have in open_clip (QuickGELU, 64-wide heads in both towers, MLP ratio 4), so the
 * tower plug-ins' open_clip formats read it:
 * - ViT when `visual.proj` exists: width = conv1 out-channels, layers = number of `visual.*.attn.in_proj_weight`,
 *   patch = conv1 kernel, image size = patch x round(sqrt(positions - 1));
 * - else ModifiedResNet: layers = distinct block indices of `visual.layer1..4`, width = layer1.0.conv1
 *   out-channels, image size = 32 x round(sqrt(attention-pool positions - 1));
 * - text: width = ln_final, heads = width // 64, layers = distinct `transformer.resblocks` indices, context
 *   length and vocabulary from the embeddings, embed_dim = text_projection's second dimension.
 */
export function inferOpenAiModelConfig(file: string, shapes: Shapes): Record<string, unknown> {
  const shape = (name: string): readonly number[] => {
    const entry = shapes.get(name);
    if (!entry) throw new CheckpointError(file, `no config beside it, and its architecture cannot be read from its weights as OpenAI's build_model does: it has no "${name}"`);
    return entry.shape;
  };
  const names = [...shapes.keys()];
  // build_model: len(set(k.split(".")[2] for k in state_dict if k.startswith(prefix)))
  const distinctBlocks = (prefix: string) => new Set(names.filter((k) => k.startsWith(prefix)).map((k) => k.split('.')[2])).size;
  const textWidth = shape('ln_final.weight')[0];
  const textHeads = Math.floor(textWidth / HEAD_WIDTH);
  if (textHeads === 0)
    throw new CheckpointError(file, `its text width ${textWidth} is under 64, so OpenAI's rule heads = width // 64 gives none: put the model's open_clip config beside it`);
  return {
    embed_dim: shape('text_projection')[1],
    quick_gelu: true,
    vision_cfg: shapes.has('visual.proj') ? vitCfg(file, shape, names) : resnetCfg(file, shape, distinctBlocks),
    text_cfg: {
      context_length: shape('positional_embedding')[0],
      vocab_size: shape('token_embedding.weight')[0],
      width: textWidth,
      heads: textHeads,
      layers: distinctBlocks('transformer.resblocks'),
    },
  };
}

function vitCfg(file: string, shape: (name: string) => readonly number[], names: readonly string[]): Record<string, unknown> {
  const conv = shape('visual.conv1.weight'); // [width, 3, patch, patch]
  const width = conv[0];
  if (width < HEAD_WIDTH)
    throw new CheckpointError(file, `its vision width ${width} is under 64, so OpenAI's rule heads = width // 64 gives none: put the model's open_clip config beside it`);
  const patch = conv[conv.length - 1];
  const grid = Math.round(Math.sqrt(shape('visual.positional_embedding')[0] - 1));
  const layers = names.filter((k) => k.startsWith('visual.') && k.endsWith('.attn.in_proj_weight')).length;
  return { image_size: patch * grid, layers, width, patch_size: patch, head_width: HEAD_WIDTH };
}

function resnetCfg(file: string, shape: (name: string) => readonly number[], distinctBlocks: (prefix: string) => number): Record<string, unknown> {
  const positions = shape('visual.attnpool.positional_embedding')[0];
  const outputWidth = Math.round(Math.sqrt(positions - 1));
  // build_model asserts this: the attention pool sees a square grid plus the mean token.
  if (outputWidth ** 2 + 1 !== positions) throw new CheckpointError(file, `visual.attnpool.positional_embedding has ${positions} positions, not a square grid + 1`);
  const layers = [1, 2, 3, 4].map((b) => distinctBlocks(`visual.layer${b}`));
  return { image_size: outputWidth * 32, layers, width: shape('visual.layer1.0.conv1.weight')[0], patch_size: null, head_width: HEAD_WIDTH };
}
