import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type BlasKernelArgs, float32Values } from './blas-kernel-context.js';

/**
 * Names of the kernels the blas backend adds for clipkit's layers (blasOps runs them), where tfjs composes
 * several ops (and copies, for attention's heads) and its autodiff several more. Inputs and outputs:
 *
 * - ClipkitQuickGelu {x} -> x * sigmoid(1.702 x); ClipkitQuickGeluGrad {dy, x} -> dy * d/dx.
 * - ClipkitGelu {x} -> x * 0.5 * (1 + erf(x / sqrt 2)); ClipkitGeluGrad {dy, x} -> dy * d/dx.
 * - ClipkitGeluTanh {x} -> x * 0.5 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); ClipkitGeluTanhGrad {dy, x} -> dy * d/dx.
 * - ClipkitLayerNorm {x [..., D], gamma [D], beta [D]}, attrs {epsilon} -> [y, mean, rstd] (mean and rstd
 *   have x's shape without its last axis); ClipkitLayerNormGrad {dy, x, gamma, mean, rstd} -> [dx, dgamma, dbeta].
 * - ClipkitAttention {qkv [B, T, 3D], mask? [T, T]}, attrs {heads} -> [context [B, T, D], probs [B, heads, T, T]]:
 *   torch.nn.MultiheadAttention's heads from its packed in-proj output (q, k, v of each token side by side,
 *   heads in order within each), softmax(q k^T / sqrt(D / heads) + mask) v, heads merged in place;
 *   ClipkitAttentionGrad {dy [B, T, D], qkv, probs}, attrs {heads} -> dqkv [B, T, 3D].
 * - ClipkitBatchNorm {x [..., C], gamma [C], beta [C]}, attrs {epsilon} -> [y, mean, variance, invStd] (each [C]
 *   but y): training-mode BatchNorm over every axis but the last, biased variance, invStd = 1 / sqrt(variance
 *   + epsilon); ClipkitBatchNormGrad {dy, x, gamma, mean, invStd} -> [dx, dgamma, dbeta].
 * - ClipkitAveragePool {x [N, H, W, C]}, attrs {size} -> y [N, H / size, W / size, C] (rounded down):
 *   nn.AvgPool2d(size) with kernel = stride = size, floor mode; ClipkitAveragePoolGrad {dy}, attrs {size,
 *   inputShape} -> dx [N, H, W, C] (0 where floor mode drops rows or columns).
 * - ClipkitAdamW {param, m, v, grad} (one shape), attrs @clipkit/core's AdamWStep -> [param', m', v']: one
 *   AdamW update (an optimizer step, not a layer: it has no gradient).
 */
export const FUSED_KERNELS = {
  quickGelu: 'ClipkitQuickGelu',
  quickGeluGrad: 'ClipkitQuickGeluGrad',
  gelu: 'ClipkitGelu',
  geluGrad: 'ClipkitGeluGrad',
  geluTanh: 'ClipkitGeluTanh',
  geluTanhGrad: 'ClipkitGeluTanhGrad',
  layerNorm: 'ClipkitLayerNorm',
  layerNormGrad: 'ClipkitLayerNormGrad',
  attention: 'ClipkitAttention',
  attentionGrad: 'ClipkitAttentionGrad',
  batchNorm: 'ClipkitBatchNorm',
  batchNormGrad: 'ClipkitBatchNormGrad',
  averagePool: 'ClipkitAveragePool',
  averagePoolGrad: 'ClipkitAveragePoolGrad',
  adamW: 'ClipkitAdamW',
} as const;

export type Inputs = Record<string, TensorInfo>;

/** The Float32Array of each named input, or an error naming the kernel and the input: these kernels have no other dtype. */
export function inputValues(args: BlasKernelArgs, kernelName: string, names: string[]): Float32Array[] {
  return names.map((name) => {
    const values = float32Values(args.backend, args.inputs[name] as TensorInfo | undefined);
    if (!values) throw new Error(`clipkit blas backend: ${kernelName} needs a float32 input "${name}"`);
    return values;
  });
}
