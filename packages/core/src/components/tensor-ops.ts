import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';

/**
 * The operations whose best formulation depends on the tfjs backend (a fused kernel, transpose flags or
 * explicit transposes, which gradient), with their gradients. @clipkit/layers composes its layers from
 * them; a backend registers its strategy once, when it initialises (registerTensorOps), so no layer tests
 * the backend's name. Every implementation computes the same maths to float32 rounding.
 */
export interface TensorOps {
  /** nn.Linear: x [N, in], weight [out, in] (PyTorch's layout), bias [out] -> x W^T + b [N, out]. */
  linear(x: Tensor2D, weight: Tensor2D, bias?: Tensor1D): Tensor2D;
  /** x [N, in] @ P [in, out] for OpenAI's projection parameters stored [in, out]. */
  project(x: Tensor2D, weight: Tensor2D): Tensor2D;
  /** nn.Conv2d without bias on NHWC input: x [N, H, W, in], weight [out, in, k, k] (PyTorch's layout), symmetric zero padding. */
  conv2d(x: Tensor4D, weight: Tensor4D, stride: number, padding: number): Tensor4D;
  /** x * sigmoid(1.702 x). */
  quickGelu<T extends Tensor>(x: T): T;
  /** Exact GELU x/2 (1 + erf(x / sqrt 2)). */
  gelu<T extends Tensor>(x: T): T;
  /** tanh-approximated GELU (transformers' gelu_pytorch_tanh): x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  geluTanh<T extends Tensor>(x: T): T;
  /** LayerNorm over the last axis (biased variance, eps inside the square root). */
  layerNorm<T extends Tensor>(x: T, gamma: Tensor1D, beta: Tensor1D, eps: number): T;
  /**
   * Multi-head self-attention from nn.MultiheadAttention's packed in-proj output qkv [B, T, 3D] (q, k, v of
   * each token side by side, heads in order within each): softmax(q k^T / sqrt(D / heads) + mask) v with the
   * heads merged, [B, T, D]. `mask` [T, T] is added to the scores.
   */
  attention(qkv: Tensor3D, heads: number, mask?: Tensor2D): Tensor3D;
  /**
   * nn.BatchNorm2d in training mode on channels-last x [N, H, W, C]: (x - mean) / sqrt(var + eps) gamma + beta
   * with the batch's mean and biased variance per channel, which it also returns (for the running
   * statistics; no gradient flows through them). `y` is differentiable in x, gamma and beta.
   */
  batchNorm(x: Tensor4D, gamma: Tensor1D, beta: Tensor1D, eps: number): { y: Tensor4D; mean: Tensor1D; variance: Tensor1D };
  /**
   * Optional: nn.AvgPool2d(size) as ResNets use it (kernel = stride = size, no padding, floor mode) on NHWC x
   * [N, H, W, C] -> [N, floor(H / size), floor(W / size), C], differentiable in x. Where a backend registers
   * none, the caller composes it from tfjs ops.
   */
  averagePool?(x: Tensor4D, size: number): Tensor4D;
  /**
   * Optional: one AdamW update of a parameter in one pass (see {@link AdamWStep}), returning new tensors for
   * the caller to assign. Where a backend registers none, AdamW runs its portable tfjs formulation (about
   * ten elementwise ops, each allocating its result).
   */
  adamWUpdate?(param: Tensor, m: Tensor, v: Tensor, grad: Tensor, step: AdamWStep): AdamWState;
}

/**
 * The scalars of one AdamW update (torch.optim.AdamW at step t), with which a parameter p, its gradient g and
 * moments m, v become
 *   m' = beta1 m + (1 - beta1) g;  v' = beta2 v + (1 - beta2) g^2
 *   p' = decay p - stepSize m' / (sqrt(v') / sqrtCorrection2 + eps)
 */
export interface AdamWStep {
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 - lr * weightDecay for a decayed parameter, 1 for the others. */
  decay: number;
  /** lr / (1 - beta1^t). */
  stepSize: number;
  /** sqrt(1 - beta2^t). */
  sqrtCorrection2: number;
}

/** The updated parameter and moments of one AdamW step, each of the parameter's shape. */
export interface AdamWState {
  param: Tensor;
  m: Tensor;
  v: Tensor;
}

const registered = new Map<string, Partial<TensorOps>>();

/**
 * Registers the operations tfjs backend `backend` (by the name tf.getBackend() returns) formulates its own
 * way; called once at initialisation. The others stay the portable ones of @clipkit/layers.
 */
export function registerTensorOps(backend: string, ops: Partial<TensorOps>): void {
  registered.set(backend, ops);
}

/** The operations registered for a tfjs backend, if any. */
export function registeredTensorOps(backend: string): Partial<TensorOps> | undefined {
  return registered.get(backend);
}
