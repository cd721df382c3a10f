import { intAttribute, intsAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { activationNode, type GraphActivation, layerNormNode, linearNode } from './onnx-nodes.js';
import { singleQueryAttention } from './single-query-attention.js';

/**
 * Where the weights of a pre-LN transformer block are, relative to the transformer: the layout of its
 * checkpoint. Names of LayerNorms and Linear layers are given without `.weight` / `.bias`.
 */
export interface BlockNaming {
  /** The state-dict scope of block i, e.g. "resblocks.3" (its weights are under "resblocks.3."). */
  block(i: number): string;
  readonly ln1: string;
  readonly ln2: string;
  readonly outProj: string;
  /** The MLP's first and second Linear. */
  readonly fc: string;
  readonly proj: string;
  /** The q, k or v projection of a block scoped to: its weight as an initializer of shape `dims` (PyTorch's [D, D] viewed so) and its bias [D]. */
  qkv(w: OnnxWeights, part: 'q' | 'k' | 'v', width: number, dims: readonly number[]): { weight: string; bias: string };
}

/** OpenAI CLIP's ResidualAttentionBlock: `resblocks.{i}`, nn.MultiheadAttention's packed in_proj (rows q, k, v), c_fc / c_proj. */
export const OPENAI_BLOCK_NAMING: BlockNaming = {
  block: (i) => `resblocks.${i}`,
  ln1: 'ln_1',
  ln2: 'ln_2',
  outProj: 'attn.out_proj',
  fc: 'mlp.c_fc',
  proj: 'mlp.c_proj',
  qkv(w, part, width, dims) {
    const begin = ['q', 'k', 'v'].indexOf(part) * width;
    return { weight: w.rows('attn.in_proj_weight', part, begin, begin + width, dims), bias: w.rows('attn.in_proj_bias', part, begin, begin + width, [width]) };
  },
};

/** transformers' CLIPEncoderLayer / SiglipEncoderLayer: `layers.{i}`, separate q_proj / k_proj / v_proj, fc1 / fc2. */
export const TRANSFORMERS_BLOCK_NAMING: BlockNaming = {
  block: (i) => `layers.${i}`,
  ln1: 'layer_norm1',
  ln2: 'layer_norm2',
  outProj: 'self_attn.out_proj',
  fc: 'mlp.fc1',
  proj: 'mlp.fc2',
  qkv: (w, part, width, dims) => ({ weight: w.get(`self_attn.${part}_proj.weight`, dims), bias: w.get(`self_attn.${part}_proj.bias`, [width]) }),
};

/**
 * A pre-LN transformer (OpenAI CLIP's Transformer in clip/model.py, transformers' CLIPEncoder and
 * SiglipEncoder: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))) as ONNX nodes, shared by the towers. Token
 * features flow as 2-D [N*L, D] so that every projection is one Gemm on the PyTorch weight ([out, in],
 * transB=1, bias fused) and MLAS runs one large matrix product per projection; only attention reshapes
 * to [N, H, L, dh].
 */
export interface TransformerGraphSpec {
  width: number;
  heads: number;
  layers: number;
  mlpWidth: number;
  layerNormEps: number;
  activation: GraphActivation;
  /** The shape tensor [N, L, ...dims] to view [N*L, prod(dims)] as (L is fixed for images, per batch for texts). */
  sequenceShape(dims: readonly number[]): string;
  /** Additive attention mask [L, L] (the text tower's causal mask); none: every token sees every token. */
  mask?: string;
  /** How the blocks' weights are named. Default OPENAI_BLOCK_NAMING. */
  naming?: BlockNaming;
}

/** Which token a tower pools: the last block is computed for that token only. */
export interface PooledToken {
  /** Token features [N*L, D] -> the pooled token's [N, D]. */
  pick(tokens: string): string;
  /** The pooled token's row of the attention mask, [N, 1, 1, L], when the tower has a mask. */
  maskRow?: string;
}

/** The MLP half of a block: x + proj(act(fc(ln_2(x)))), on [M, D]. */
function mlpResidual(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, names: BlockNaming): string {
  const { width, mlpWidth } = spec;
  const h = layerNormNode(g, w, x, names.ln2, width, spec.layerNormEps);
  const fc = linearNode(g, h, w.get(`${names.fc}.weight`, [mlpWidth, width]), w.get(`${names.fc}.bias`, [mlpWidth]));
  const hidden = activationNode(g, fc, spec.activation); // [M, mlpWidth]
  return g.node('Add', [x, linearNode(g, hidden, w.get(`${names.proj}.weight`, [width, mlpWidth]), w.get(`${names.proj}.bias`, [width]))]); // [M, D]
}

/** The attention's out_proj: [M, D] -> [M, D]. */
function outProjection(g: OnnxGraphBuilder, w: OnnxWeights, x: string, width: number, names: BlockNaming): string {
  return linearNode(g, x, w.get(`${names.outProj}.weight`, [width, width]), w.get(`${names.outProj}.bias`, [width]));
}

/** One block on every token: [N*L, D] -> [N*L, D]. */
function residualAttentionBlock(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, names: BlockNaming): string {
  const { width, heads } = spec;
  const dh = width / heads;
  const h = layerNormNode(g, w, x, names.ln1, width, spec.layerNormEps); // [N*L, D]
  // One Gemm per projection. q is scaled by dh^-0.5: folded into its Gemm (alpha, beta).
  const project = (part: 'q' | 'k' | 'v', alpha = 1) => {
    const { weight, bias } = names.qkv(w, part, width, [width, width]);
    return linearNode(g, h, weight, bias, alpha); // [N*L, D]
  };
  const split = spec.sequenceShape([heads, dh]);
  const perHead = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, split])], { perm: intsAttribute(perm) });
  const q = perHead(project('q', dh ** -0.5), [0, 2, 1, 3]); // [N, H, L, dh]
  const kT = perHead(project('k'), [0, 2, 3, 1]); // [N, H, dh, L]
  const v = perHead(project('v'), [0, 2, 1, 3]); // [N, H, L, dh]
  let scores = g.node('MatMul', [q, kT]); // [N, H, L, L]
  if (spec.mask) scores = g.node('Add', [scores, spec.mask]);
  const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: intAttribute(-1) }), v]); // [N, H, L, dh]
  const merged = g.node('Reshape', [g.node('Transpose', [attended], { perm: intsAttribute([0, 2, 1, 3]) }), g.int64s([-1, width])]); // [N*L, D]
  const y = g.node('Add', [x, outProjection(g, w, merged, width, names)]);
  return mlpResidual(g, w, y, spec, names);
}

/**
 * The last block for the pooled token only: the tower reads out one token, and that token's output needs
 * every token only as keys and values (see singleQueryAttention); its query, out_proj and MLP are
 * computed for it alone. [N*L, D] -> [N, D].
 */
function pooledResidualAttentionBlock(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, names: BlockNaming, pooled: PooledToken): string {
  const { width, heads } = spec;
  const dh = width / heads;
  const h = layerNormNode(g, w, x, names.ln1, width, spec.layerNormEps); // [N*L, D]
  const query = names.qkv(w, 'q', width, [width, width]);
  const key = names.qkv(w, 'k', width, [heads, dh, width]);
  const value = names.qkv(w, 'v', width, [heads, dh, width]);
  const q = linearNode(g, pooled.pick(h), query.weight, query.bias, dh ** -0.5); // [N, D]
  const attended = singleQueryAttention(g, g.node('Reshape', [h, spec.sequenceShape([width])]), q, {
    width,
    heads,
    keyWeight: key.weight,
    valueWeight: value.weight,
    valueBias: value.bias,
    maskRow: pooled.maskRow,
  }); // [N, D]
  const y = g.node('Add', [pooled.pick(x), outProjection(g, w, attended, width, names)]);
  return mlpResidual(g, w, y, spec, names); // [N, D]
}

/**
 * The blocks of a transformer whose weights `w` is scoped to (e.g. "visual.transformer."): tokens
 * [N*L, D] -> the pooled token's features [N, D] after the last block, or, without `pooled`, every
 * token's [N*L, D] (a tower that reads all of them, e.g. through an attention pooling head).
 */
export function transformerGraph(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, pooled?: PooledToken): string {
  const names = spec.naming ?? OPENAI_BLOCK_NAMING;
  const full = pooled ? spec.layers - 1 : spec.layers;
  let hidden = x;
  for (let i = 0; i < full; i++) hidden = g.inScope(names.block(i), () => residualAttentionBlock(g, w.scoped(`${names.block(i)}.`), hidden, spec, names));
  if (!pooled) return hidden;
  const last = names.block(spec.layers - 1);
  return g.inScope(last, () => pooledResidualAttentionBlock(g, w.scoped(`${last}.`), hidden, spec, names, pooled));
}
