import { intAttribute, intsAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { activationNode, type GraphActivation, layerNormNode, linearNode } from './onnx-nodes.js';
import { singleQueryAttention } from './single-query-attention.js';

/**
 * OpenAI CLIP's Transformer (clip/model.py: pre-LN ResidualAttentionBlocks over nn.MultiheadAttention)
 * as ONNX nodes, shared by the ViT and text towers. Token features flow as 2-D [N*L, D] so that every
 * projection is one Gemm on the PyTorch weight ([out, in], transB=1, bias fused) and MLAS runs one
 * large matrix product per projection; only attention reshapes to [N, H, L, dh].
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
}

/** Which token a tower pools: the last block is computed for that token only. */
export interface PooledToken {
  /** Token features [N*L, D] -> the pooled token's [N, D]. */
  pick(tokens: string): string;
  /** The pooled token's row of the attention mask, [N, 1, 1, L], when the tower has a mask. */
  maskRow?: string;
}

/** The MLP half of a block: x + c_proj(act(c_fc(ln_2(x)))), on [M, D]. */
function mlpResidual(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec): string {
  const { width, mlpWidth } = spec;
  const h = layerNormNode(g, w, x, 'ln_2', width, spec.layerNormEps);
  const hidden = activationNode(g, linearNode(g, h, w.get('mlp.c_fc.weight', [mlpWidth, width]), w.get('mlp.c_fc.bias', [mlpWidth])), spec.activation); // [M, mlpWidth]
  return g.node('Add', [x, linearNode(g, hidden, w.get('mlp.c_proj.weight', [width, mlpWidth]), w.get('mlp.c_proj.bias', [width]))]); // [M, D]
}

/** One ResidualAttentionBlock on every token: [N*L, D] -> [N*L, D]. */
function residualAttentionBlock(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec): string {
  const { width, heads } = spec;
  const dh = width / heads;
  const h = layerNormNode(g, w, x, 'ln_1', width, spec.layerNormEps); // [N*L, D]
  // nn.MultiheadAttention's packed in_proj, one Gemm per part. q is scaled by dh^-0.5: folded into its Gemm (alpha, beta).
  const project = (part: 'q' | 'k' | 'v', index: number, alpha = 1) =>
    linearNode(
      g,
      h,
      w.rows('attn.in_proj_weight', part, index * width, (index + 1) * width, [width, width]),
      w.rows('attn.in_proj_bias', part, index * width, (index + 1) * width, [width]),
      alpha,
    ); // [N*L, D]
  const split = spec.sequenceShape([heads, dh]);
  const perHead = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, split])], { perm: intsAttribute(perm) });
  const q = perHead(project('q', 0, dh ** -0.5), [0, 2, 1, 3]); // [N, H, L, dh]
  const kT = perHead(project('k', 1), [0, 2, 3, 1]); // [N, H, dh, L]
  const v = perHead(project('v', 2), [0, 2, 1, 3]); // [N, H, L, dh]
  let scores = g.node('MatMul', [q, kT]); // [N, H, L, L]
  if (spec.mask) scores = g.node('Add', [scores, spec.mask]);
  const attended = g.node('MatMul', [g.node('Softmax', [scores], { axis: intAttribute(-1) }), v]); // [N, H, L, dh]
  const merged = g.node('Reshape', [g.node('Transpose', [attended], { perm: intsAttribute([0, 2, 1, 3]) }), g.int64s([-1, width])]); // [N*L, D]
  const y = g.node('Add', [x, linearNode(g, merged, w.get('attn.out_proj.weight', [width, width]), w.get('attn.out_proj.bias', [width]))]);
  return mlpResidual(g, w, y, spec);
}

/**
 * The last ResidualAttentionBlock for the pooled token only: the tower reads out one token, and that
 * token's output needs every token only as keys and values (see singleQueryAttention); its query,
 * out_proj and MLP are computed for it alone. [N*L, D] -> [N, D].
 */
function pooledResidualAttentionBlock(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, pooled: PooledToken): string {
  const { width, heads } = spec;
  const dh = width / heads;
  const h = layerNormNode(g, w, x, 'ln_1', width, spec.layerNormEps); // [N*L, D]
  const q = linearNode(g, pooled.pick(h), w.rows('attn.in_proj_weight', 'q', 0, width, [width, width]), w.rows('attn.in_proj_bias', 'q', 0, width, [width]), dh ** -0.5); // [N, D]
  const attended = singleQueryAttention(g, g.node('Reshape', [h, spec.sequenceShape([width])]), q, {
    width,
    heads,
    keyWeight: w.rows('attn.in_proj_weight', 'k', width, 2 * width, [heads, dh, width]),
    valueWeight: w.rows('attn.in_proj_weight', 'v', 2 * width, 3 * width, [heads, dh, width]),
    valueBias: w.rows('attn.in_proj_bias', 'v', 2 * width, 3 * width, [width]),
    maskRow: pooled.maskRow,
  }); // [N, D]
  const y = g.node('Add', [pooled.pick(x), linearNode(g, attended, w.get('attn.out_proj.weight', [width, width]), w.get('attn.out_proj.bias', [width]))]);
  return mlpResidual(g, w, y, spec); // [N, D]
}

/**
 * `resblocks.*` of a Transformer whose weights `w` is scoped to (e.g. "visual.transformer."): tokens
 * [N*L, D] -> the pooled token's features [N, D] after the last block.
 */
export function transformerGraph(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: TransformerGraphSpec, pooled: PooledToken): string {
  let hidden = x;
  for (let i = 0; i < spec.layers - 1; i++) hidden = g.inScope(`resblocks.${i}`, () => residualAttentionBlock(g, w.scoped(`resblocks.${i}.`), hidden, spec));
  const last = spec.layers - 1;
  return g.inScope(`resblocks.${last}`, () => pooledResidualAttentionBlock(g, w.scoped(`resblocks.${last}.`), hidden, spec, pooled));
}
