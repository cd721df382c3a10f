import { intAttribute, intsAttribute, type OnnxGraphBuilder } from '@clipkit/core';

export interface SingleQueryAttentionSpec {
  width: number;
  heads: number;
  /** The key projection weight viewed as [H, dh, D] (PyTorch's [D, D], rows grouped by head). */
  keyWeight: string;
  /** The value projection weight viewed as [H, dh, D], and its bias [D]. */
  valueWeight: string;
  valueBias: string;
  /** Additive mask of the query's row, [N, 1, 1, L]. */
  maskRow?: string;
}

/**
 * Multi-head attention of one query per sequence (the pooled token) over L tokens x, with the key and
 * value projections moved to the query side, where they cost one token instead of L:
 * - q_h . (Wk_h x_t + bk_h) = (Wk_h^T q_h) . x_t + const, and softmax ignores the constant, so bk drops out;
 * - sum_t p_t (Wv_h x_t + bv_h) = Wv_h (sum_t p_t x_t) + bv_h, since the p_t sum to 1.
 * The same result as nn.MultiheadAttention (in exact arithmetic) for a fraction of the work.
 * `x` [N, L, D] (keys and values before projection; L may vary by batch), `q` [N, D] (projected, scaled by dh^-0.5) -> [N, D]
 * (before out_proj).
 */
export function singleQueryAttention(g: OnnxGraphBuilder, x: string, q: string, spec: SingleQueryAttentionSpec): string {
  const { width, heads } = spec;
  const dh = width / heads;
  // Heads lead in the weight products, so each is one [N, dh] x [dh, D] product per head, not N vector products.
  const qh = g.node('Transpose', [g.node('Reshape', [q, g.int64s([-1, heads, dh])])], { perm: intsAttribute([1, 0, 2]) }); // [H, N, dh]
  const qk = g.node('Transpose', [g.node('MatMul', [qh, spec.keyWeight])], { perm: intsAttribute([1, 0, 2]) }); // Wk_h^T q_h: [N, H, D]
  const x4 = g.node('Unsqueeze', [x, g.int64s([1])]); // [N, 1, L, D]
  const keyScores = g.node('MatMul', [x4, g.node('Reshape', [qk, g.int64s([-1, heads, width, 1])])]); // [N, H, L, 1]
  let scores = g.node('Transpose', [keyScores], { perm: intsAttribute([0, 1, 3, 2]) }); // [N, H, 1, L]
  if (spec.maskRow) scores = g.node('Add', [scores, spec.maskRow]);
  const weights = g.node('Softmax', [scores], { axis: intAttribute(-1) }); // [N, H, 1, L]
  const pooled = g.node('Reshape', [g.node('MatMul', [weights, x4]), g.int64s([-1, heads, width])]); // sum_t p_t x_t: [N, H, D]
  const perHead = g.node('MatMul', [spec.valueWeight, g.node('Transpose', [pooled], { perm: intsAttribute([1, 2, 0]) })]); // Wv_h (sum_t p_t x_t): [H, dh, N]
  const values = g.node('Reshape', [g.node('Transpose', [perHead], { perm: intsAttribute([2, 0, 1]) }), g.int64s([-1, width])]); // [N, D]
  return g.node('Add', [values, spec.valueBias]); // [N, D]
}
