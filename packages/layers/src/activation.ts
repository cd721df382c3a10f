import type * as tf from '@tensorflow/tfjs-core';
import { ops } from './ops.js';

/**
 * The MLP activation of a transformer, as configs name it: OpenAI's QuickGELU x * sigmoid(1.702 x), exact
 * (erf) GELU as torch.nn.GELU(), or tanh-approximated GELU as transformers' gelu_pytorch_tanh (SigLIP).
 */
export type Activation = 'quick_gelu' | 'gelu' | 'gelu_tanh';

/** OpenAI CLIP's QuickGELU, x * sigmoid(1.702 x) (clip/model.py), on the backend's ops. */
export function quickGelu<T extends tf.Tensor>(x: T): T {
  return ops().quickGelu(x);
}

/** Exact GELU, x/2 (1 + erf(x / sqrt 2)), as torch.nn.GELU(), on the backend's ops. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return ops().gelu(x);
}

/** tanh-approximated GELU, x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as torch.nn.GELU(approximate='tanh'), on the backend's ops. */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  return ops().geluTanh(x);
}

/** The activation function a config names. */
export function activation(kind: Activation): <T extends tf.Tensor>(x: T) => T {
  switch (kind) {
    case 'quick_gelu':
      return quickGelu;
    case 'gelu':
      return gelu;
    case 'gelu_tanh':
      return geluTanh;
  }
}
