import { ClipkitError, type SeededRandom } from '@clipkit/core';
import { Layer, linear } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A convolution of NHWC input with a PyTorch-layout weight [out, in, k, k], PyTorch's symmetric zero padding,
 * and a hand-written gradient made of forward convolutions only.
 *
 * tfjs's own gradient needs Conv2DBackpropFilter, which wasm lacks: the cpu kernel it is bridged to took minutes
 * (280 s on a busy 2-core machine) for the filter gradient of one 56x56, 64 -> 64 3x3 convolution at batch 4, whose
 * forward takes ~50 ms; and wasm's Conv2DBackpropInput is a plain loop ~9x slower than its XNNPACK forward.
 * Both gradients are convolutions too, which run on XNNPACK:
 * - input: the output gradient, zero-stuffed by the stride, convolved with the flipped, in/out-swapped weight;
 * - weight: the padded input with batch and channels swapped ([C, H, W, N]) convolved with the output gradient
 *   as the filter ([oh, ow, N, out]), dilated by the stride; the result [C, k, k, out] is the weight gradient.
 */
function convolution(stride: number, padding: number): (x: tf.Tensor4D, weight: tf.Tensor4D) => tf.Tensor4D {
  const pad = (p: number): [[0, 0], [number, number], [number, number], [0, 0]] => [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, weight, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    // A Variable outlives the backward pass of the step that uses it; saving it would copy it on wasm.
    save(weight instanceof tf.Variable ? [x] : [x, weight]);
    const value = tf.tidy(() => tf.conv2d(x, tf.transpose(weight, [2, 3, 1, 0]), stride, pad(padding))); // [N, oh, ow, out]
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const input = saved[0] as tf.Tensor4D;
        const w = weight instanceof tf.Variable ? weight : (saved[1] as tf.Tensor4D);
        return [inputGradient(dy as tf.Tensor4D, w, input.shape, stride, padding), weightGradient(dy as tf.Tensor4D, input, w.shape[2], stride, padding)];
      },
    };
  }) as (x: tf.Tensor4D, weight: tf.Tensor4D) => tf.Tensor4D;
}

/** dL/dx [N, H, W, in] from dy [N, oh, ow, out] and the weight [out, in, k, k]. */
function inputGradient(dy: tf.Tensor4D, weight: tf.Tensor4D, inputShape: [number, number, number, number], stride: number, padding: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [N, H, W] = inputShape;
    const [, oh, ow, out] = dy.shape;
    const k = weight.shape[2];
    // Put dy[i, j] at (i*stride, j*stride) of a zero map [(oh-1)*stride+1, (ow-1)*stride+1].
    let stuffed: tf.Tensor4D = dy;
    if (stride > 1) {
      const spread = tf.pad(tf.reshape(dy, [N, oh, 1, ow, 1, out]), [
        [0, 0],
        [0, 0],
        [0, stride - 1],
        [0, 0],
        [0, stride - 1],
        [0, 0],
      ]);
      stuffed = tf.slice(tf.reshape<tf.Rank.R4>(spread, [N, oh * stride, ow * stride, out]), 0, [N, (oh - 1) * stride + 1, (ow - 1) * stride + 1, out]);
    }
    // dx[i] = sum_t stuffed[i + padding - t] w[t]: a correlation with the flipped kernel, padded k-1-padding
    // before and whatever makes the output H long after.
    const before = k - 1 - padding;
    const afterH = H + k - 1 - before - stuffed.shape[1];
    const afterW = W + k - 1 - before - stuffed.shape[2];
    return tf.conv2d(stuffed, flippedKernel(weight), 1, [
      [0, 0],
      [before, afterH],
      [before, afterW],
      [0, 0],
    ]);
  });
}

/**
 * The weight [out, in, k, k] rotated by 180 degrees with in and out swapped: [k, k, out, in], tap (t, u) holding
 * w[., ., k-1-t, k-1-u]. The taps are flipped by a product with the anti-identity (exact: one 1 per row), because
 * tf.reverse, gather and concat are plain loops on wasm (~200 ms for a 512x512x3x3 weight against ~20 ms).
 */
function flippedKernel(weight: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [out, inC, k] = weight.shape;
    const taps = k * k;
    const antiIdentity = tf.tensor2d(
      Array.from({ length: taps * taps }, (_, i) => (i % taps === taps - 1 - Math.floor(i / taps) ? 1 : 0)),
      [taps, taps],
    );
    const byTap = tf.reshape<tf.Rank.R2>(tf.transpose(weight, [2, 3, 0, 1]), [taps, out * inC]); // [k*k, out*in]
    return tf.reshape(tf.matMul(antiIdentity, byTap), [k, k, out, inC]);
  });
}

/** dL/dW [out, in, k, k] from dy [N, oh, ow, out] and the input x [N, H, W, in]. */
function weightGradient(dy: tf.Tensor4D, x: tf.Tensor4D, k: number, stride: number, padding: number): tf.Tensor4D {
  return tf.tidy(() => {
    const C = x.shape[3];
    const out = dy.shape[3];
    // dW[t, u, c, o] = sum_{n,i,j} xpad[n, i*stride + t, j*stride + u, c] dy[n, i, j, o]
    const images = tf.transpose(
      tf.pad(x, [
        [0, 0],
        [padding, padding],
        [padding, padding],
        [0, 0],
      ]),
      [3, 1, 2, 0],
    ); // [C, H+2p, W+2p, N]
    const filter = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, N, out]
    const full = tf.conv2d(images, filter, 1, 'valid', 'NHWC', stride); // [C, >= k, >= k, out]
    // Rows past k are taps of padding the forward's floor division never reached.
    const taps = full.shape[1] === k && full.shape[2] === k ? full : tf.slice(full, 0, [C, k, k, out]);
    return tf.transpose(taps, [3, 0, 1, 2]); // [out, C, k, k]
  });
}

export interface Conv2dOptions {
  /** Default 1. */
  stride?: number;
  /** Zero padding on every side, as nn.Conv2d's `padding`; at most kernelSize - 1. Default 0. */
  padding?: number;
}

/**
 * torch.nn.Conv2d without bias, on NHWC input (tfjs's layout on wasm and cpu). The weight keeps PyTorch's
 * layout [out, in, k, k], so checkpoints load unchanged.
 */
export class Conv2d extends Layer {
  readonly weight: tf.Variable<tf.Rank.R4>;
  readonly stride: number;
  readonly padding: number;
  private readonly convolve: (x: tf.Tensor4D, weight: tf.Tensor4D) => tf.Tensor4D;

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
    this.convolve = convolution(this.stride, this.padding);
  }

  /** [N, H, W, in] -> [N, oh, ow, out] with oh = floor((H + 2 padding - k) / stride) + 1 */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.kernelSize === 1 && this.stride === 1 && this.padding === 0) {
        // A pointwise convolution is a product per pixel; `linear` has the fast hand-written gradient.
        const [N, H, W, C] = x.shape;
        const pixels = linear(tf.reshape(x, [N * H * W, C]), tf.reshape(this.weight, [this.outChannels, C])); // [N*H*W, out]
        return tf.reshape(pixels, [N, H, W, this.outChannels]);
      }
      return this.convolve(x, this.weight);
    });
  }
}
