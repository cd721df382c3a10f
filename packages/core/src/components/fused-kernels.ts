/**
 * Names of the kernels a tfjs backend may add for clipkit's layers, where tfjs composes several ops (and
 * copies, for attention's heads) and its autodiff several more. @clipkit/backend-tfjs registers them on
 * its `blas` backend; @clipkit/layers runs them when the current backend has them and composes tfjs ops
 * otherwise, the same maths either way to float32 rounding. Inputs and outputs:
 *
 * - ClipkitQuickGelu {x} -> x * sigmoid(1.702 x); ClipkitQuickGeluGrad {dy, x} -> dy * d/dx.
 * - ClipkitGelu {x} -> x * 0.5 * (1 + erf(x / sqrt 2)); ClipkitGeluGrad {dy, x} -> dy * d/dx.
 * - ClipkitLayerNorm {x [..., D], gamma [D], beta [D]}, attrs {epsilon} -> [y, mean, rstd] (mean and rstd
 *   have x's shape without its last axis); ClipkitLayerNormGrad {dy, x, gamma, mean, rstd} -> [dx, dgamma, dbeta].
 * - ClipkitAttention {qkv [B, T, 3D], mask? [T, T]}, attrs {heads} -> [context [B, T, D], probs [B, heads, T, T]]:
 *   torch.nn.MultiheadAttention's heads from its packed in-proj output (q, k, v of each token side by side,
 *   heads in order within each), softmax(q k^T / sqrt(D / heads) + mask) v, heads merged in place;
 *   ClipkitAttentionGrad {dy [B, T, D], qkv, probs}, attrs {heads} -> dqkv [B, T, 3D].
 */
export const FUSED_KERNELS = {
  quickGelu: 'ClipkitQuickGelu',
  quickGeluGrad: 'ClipkitQuickGeluGrad',
  gelu: 'ClipkitGelu',
  geluGrad: 'ClipkitGeluGrad',
  layerNorm: 'ClipkitLayerNorm',
  layerNormGrad: 'ClipkitLayerNormGrad',
  attention: 'ClipkitAttention',
  attentionGrad: 'ClipkitAttentionGrad',
} as const;
