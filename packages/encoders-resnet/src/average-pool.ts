import { ops } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * nn.AvgPool2d(size) (kernel = stride = size, no padding, floor mode) on NHWC: the backend's fused kernel
 * where it registered one (TensorOps.averagePool: blas), else a mean over a reshape,
 * [N, H, W, C] -> [N, H/size, size, W/size, size, C] -> mean over the two `size` axes.
 *
 * The reshape gives the same numbers as tf.avgPool, but its gradient is a broadcast instead of tfjs's
 * AvgPoolGrad, a per-element JavaScript loop on the cpu backend that took two thirds of a ResNet training
 * step on blas (measured: 5.6 of 8.4 kernel-seconds at batch 256 for the Fashion-MNIST ResNet).
 */
export function averagePool(x: tf.Tensor4D, size: number): tf.Tensor4D {
  const fused = ops().averagePool;
  if (fused) return fused(x, size);
  return tf.tidy(() => {
    const [N, H, W, C] = x.shape;
    const [h, w] = [Math.floor(H / size), Math.floor(W / size)];
    // Floor mode drops the rows and columns that do not fill a window, as PyTorch does.
    const whole = h * size === H && w * size === W ? x : tf.slice(x, [0, 0, 0, 0], [N, h * size, w * size, C]);
    return tf.mean(tf.reshape(whole, [N, h, size, w, size, C]), [2, 4]) as tf.Tensor4D;
  });
}
