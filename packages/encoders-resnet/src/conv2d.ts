import { ClipkitError, type SeededRandom } from '@clipkit/core';
import { Layer, linear, ops } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

export interface Conv2dOptions {
  /** Default 1. */
  stride?: number;
  /** Zero padding on every side, as nn.Conv2d's `padding`; at most kernelSize - 1. Default 0. */
  padding?: number;
}

/**
 * torch.nn.Conv2d without bias, on NHWC input (tfjs's layout on wasm and cpu). The weight keeps PyTorch's
 * layout [out, in, k, k], so checkpoints load unchanged. The convolution and its gradients are the
 * backend's (TensorOps.conv2d: on blas the addon's kernels, on wasm a gradient made of forward convolutions).
 */
export class Conv2d extends Layer {
  readonly weight: tf.Variable<tf.Rank.R4>;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: SeededRandom,
    options: Conv2dOptions = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    if (this.padding > kernelSize - 1) throw new ClipkitError(`Conv2d: padding ${this.padding} exceeds kernelSize - 1 = ${kernelSize - 1}; use a padding below the kernel size`);
    // nn.Conv2d's default init (kaiming_uniform_ with a = sqrt 5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const fanIn = inChannels * kernelSize * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = this.addVariable('weight', tf.tensor4d(rng.uniformArray(outChannels * fanIn, -bound, bound), [outChannels, inChannels, kernelSize, kernelSize]));
  }

  /** [N, H, W, in] -> [N, oh, ow, out] with oh = floor((H + 2 padding - k) / stride) + 1 */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.kernelSize === 1 && this.stride === 1 && this.padding === 0) {
        // A pointwise convolution is a product per pixel: the backend's linear, without an im2col.
        const [N, H, W, C] = x.shape;
        const pixels = linear(tf.reshape(x, [N * H * W, C]), tf.reshape(this.weight, [this.outChannels, C])); // [N*H*W, out]
        return tf.reshape(pixels, [N, H, W, this.outChannels]);
      }
      return ops().conv2d(x, this.weight, this.stride, this.padding);
    });
  }
}
