import { ClipkitError } from '@clipkit/core';
import { Layer } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * torch.nn.BatchNorm2d on NHWC input (channels last). Eval mode normalises with the running statistics;
 * training mode with the batch's mean and biased variance, and moves the running statistics towards the
 * batch's mean and unbiased variance by `momentum`, as PyTorch does. `num_batches_tracked` is not kept
 * (it only matters for momentum None, which CLIP does not use).
 */
export class BatchNorm2d extends Layer {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;
  private readonly normaliseBatch: (x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor4D;
  /** Frozen statistics: eval-mode normalisation in training too, and no updates (open_clip's FrozenBatchNorm2d). */
  private frozen = false;

  constructor(
    readonly channels: number,
    /** Default 1e-5, as PyTorch. */
    readonly eps = 1e-5,
    /** Weight of the batch in the running statistics. Default 0.1, as PyTorch. */
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.addVariable('weight', tf.ones([channels]));
    this.bias = this.addVariable('bias', tf.zeros([channels]));
    this.runningMean = this.addVariable('running_mean', tf.zeros([channels]), false);
    this.runningVar = this.addVariable('running_var', tf.ones([channels]), false);
    this.normaliseBatch = this.batchNormalisation();
  }

  /** Normalises with the running statistics from now on, also in training, and stops updating them (open_clip's freeze_batch_norm_2d). */
  freeze(): void {
    this.frozen = true;
  }

  /** [N, H, W, C] -> same shape */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (training && !this.frozen) return this.normaliseBatch(x, this.weight, this.bias);
    return tf.batchNorm4d(x, this.runningMean, this.runningVar, this.bias, this.weight, this.eps);
  }

  /**
   * Training-mode normalisation with the closed-form gradient of batch normalisation (Ioffe & Szegedy 2015, sec. 3):
   * dx = w / sigma * (dy - mean(dy) - xhat mean(dy xhat)). It saves one activation-sized tensor (xhat) where
   * autodiff through the moments keeps several, and the running-statistics update runs in the forward kernel, off the gradient tape.
   */
  private batchNormalisation(): (x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor4D {
    return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, weight, bias, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
      const [N, H, W] = x.shape;
      const count = N * H * W;
      if (count < 2)
        throw new ClipkitError(`BatchNorm2d: training needs more than one value per channel (as PyTorch), got input [${x.shape.join(', ')}]; train with a batch of 2 or more`);
      const mean = tf.div<tf.Tensor1D>(channelSums(x), count); // [C]
      const centred = tf.sub<tf.Tensor4D>(x, mean); // [N, H, W, C]
      const variance = tf.div<tf.Tensor1D>(channelSums(tf.square(centred)), count); // [C] (biased)
      const inverseStd = tf.rsqrt(tf.add(variance, this.eps)); // [C]
      const normalised = tf.mul(centred, inverseStd); // xhat [N, H, W, C]
      this.updateRunningStatistics(mean, variance, count);
      save([normalised, inverseStd]);
      return {
        value: tf.add(tf.mul(normalised, weight), bias),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xhat, invStd] = saved as [tf.Tensor4D, tf.Tensor1D];
          const dBias = channelSums(dy as tf.Tensor4D); // [C]
          const dWeight = channelSums(tf.mul(dy, xhat) as tf.Tensor4D); // [C]
          const projected = tf.sub(tf.sub(dy, tf.div(dBias, count)), tf.mul(xhat, tf.div(dWeight, count)));
          const dx = tf.mul(projected, tf.mul(weight, invStd));
          return [dx, dWeight, dBias];
        },
      };
    }) as (x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor4D;
  }

  /** running = (1 - momentum) running + momentum batch, with the unbiased variance (count / (count - 1)) as PyTorch. */
  private updateRunningStatistics(mean: tf.Tensor1D, biasedVariance: tf.Tensor1D, count: number): void {
    tf.tidy(() => {
      const m = this.momentum;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(biasedVariance, (m * count) / (count - 1))));
    });
  }
}

/**
 * Per-channel sums of [N, H, W, C] -> [C], as a row of ones times the [N*H*W, C] matrix: wasm reduces over
 * leading axes by transposing the whole tensor first, ~30x slower than this product (measured on [4, 56, 56, 256]).
 */
function channelSums(x: tf.Tensor4D): tf.Tensor1D {
  const channels = x.shape[3];
  const rows = x.size / channels;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(x, [rows, channels])), [channels]);
}
