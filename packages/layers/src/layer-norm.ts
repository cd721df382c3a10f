import { FUSED_KERNELS } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel } from './fused-kernels.js';
import { Layer } from './layer.js';

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the square root).
 *
 * On a backend with the fused kernels (FUSED_KERNELS) it runs as one kernel that also returns each row's
 * mean and 1 / sqrt(var + eps), and its gradient as one more from those: tfjs's autodiff of moments,
 * rsqrt and the broadcasts makes about twenty passes over [B*T, width].
 */
export class LayerNorm extends Layer {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  private readonly fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, rstd] = tf.engine().runKernel(FUSED_KERNELS.layerNorm, { x, gamma, beta }, { epsilon: this.eps }) as tf.Tensor[];
    save([x, gamma, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [savedX, savedGamma, savedMean, savedRstd]: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.layerNormGrad, { dy, x: savedX, gamma: savedGamma, mean: savedMean, rstd: savedRstd }) as tf.Tensor[],
    };
  });

  constructor(
    readonly width: number,
    /** Default 1e-5, as PyTorch and OpenAI CLIP. */
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addVariable('weight', tf.ones([width]));
    this.bias = this.addVariable('bias', tf.zeros([width]));
  }

  /** [..., width] -> same shape */
  apply<T extends tf.Tensor>(x: T): T {
    if (hasFusedKernel(FUSED_KERNELS.layerNorm)) return this.fused(x, this.weight, this.bias) as T;
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normalised, this.weight), this.bias) as T;
    });
  }
}
