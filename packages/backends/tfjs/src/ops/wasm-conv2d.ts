import * as tf from '@tensorflow/tfjs-core';

/** PyTorch's symmetric zero padding of an NHWC image as tfjs's explicit padding. */
function symmetric(p: number): [[0, 0], [number, number], [number, number], [0, 0]] {
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
}

/**
 * nn.Conv2d without bias on NHWC input x [N, H, W, in] and a PyTorch-layout weight [out, in, k, k], for
 * wasm, with a hand-written gradient made of forward convolutions only (padding at most k - 1).
 *
 * tfjs's own gradient needs Conv2DBackpropFilter, which wasm lacks: the cpu kernel it is bridged to took minutes
 * (280 s on a busy 2-core machine) for the filter gradient of one 56x56, 64 -> 64 3x3 convolution at batch 4, whose
 * forward takes ~50 ms; and wasm's Conv2DBackpropInput is a plain loop ~9x slower than its XNNPACK forward.
 * Both gradients are convolutions too, which run on XNNPACK:
 * - input: the output gradient, zero-stuffed by the stride, convolved with the flipped, in/out-swapped weight;
 * - weight: the padded input with batch and channels swapped ([C, H, W, N]) convolved with the output gradient
 *   as the filter ([oh, ow, N, out]), dilated by the stride; the result [C, k, k, out] is the weight gradient.
 */
export function convolveByForwardPasses(x: tf.Tensor4D, weight: tf.Tensor4D, stride: number, padding: number): tf.Tensor4D {
  const convolve = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    // A Variable outlives the backward pass of the step that uses it; saving it would copy it on wasm.
    save(w instanceof tf.Variable ? [input] : [input, w]);
    const value = tf.tidy(() => tf.conv2d(input, tf.transpose(w, [2, 3, 1, 0]), stride, symmetric(padding))); // [N, oh, ow, out]
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedInput = saved[0] as tf.Tensor4D;
        const savedWeight = w instanceof tf.Variable ? w : (saved[1] as tf.Tensor4D);
        return [
          inputGradient(dy as tf.Tensor4D, savedWeight, savedInput.shape, stride, padding),
          weightGradient(dy as tf.Tensor4D, savedInput, savedWeight.shape[2], stride, padding),
        ];
      },
    };
  }) as (input: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
  return convolve(x, weight);
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
    const images = tf.transpose(tf.pad(x, symmetric(padding)), [3, 1, 2, 0]); // [C, H+2p, W+2p, N]
    const filter = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, N, out]
    const full = tf.conv2d(images, filter, 1, 'valid', 'NHWC', stride); // [C, >= k, >= k, out]
    // Rows past k are taps of padding the forward's floor division never reached.
    const taps = full.shape[1] === k && full.shape[2] === k ? full : tf.slice(full, 0, [C, k, k, out]);
    return tf.transpose(taps, [3, 0, 1, 2]); // [out, C, k, k]
  });
}
