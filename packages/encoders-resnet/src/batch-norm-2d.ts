import { ClipkitError } from '@clipkit/core';
import { Layer, ops } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * torch.nn.BatchNorm2d on NHWC input (channels last). Eval mode normalises with the running statistics;
 * training mode with the batch's mean and biased variance (the backend's batchNorm op: on blas one kernel
 * each way), and moves the running statistics towards the batch's mean and unbiased variance by
 * `momentum`, as PyTorch does. `num_batches_tracked` is not kept (it only matters for momentum None, which
 * CLIP does not use).
 */
export class BatchNorm2d extends Layer {
  readonly weight: tf.Variable<tf.Rank.R1>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;
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
  }

  /** Normalises with the running statistics from now on, also in training, and stops updating them (open_clip's freeze_batch_norm_2d). */
  freeze(): void {
    this.frozen = true;
  }

  /** [N, H, W, C] -> same shape */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training || this.frozen) return tf.batchNorm4d(x, this.runningMean, this.runningVar, this.bias, this.weight, this.eps);
    const [N, H, W] = x.shape;
    const count = N * H * W;
    if (count < 2)
      throw new ClipkitError(`BatchNorm2d: training needs more than one value per channel (as PyTorch), got input [${x.shape.join(', ')}]; train with a batch of 2 or more`);
    const { y, mean, variance } = ops().batchNorm(x, this.weight, this.bias, this.eps);
    this.updateRunningStatistics(mean, variance, count);
    tf.dispose([mean, variance]);
    return y;
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
