import type { SeededRandom } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { Layer } from './layer.js';

/**
 * A lookup table, as torch.nn.Embedding: row i of `weight` [count, width] is the vector of id i.
 *
 * The lookup is tf.gather; its gradient, the upstream rows summed by id, is written here as a
 * scatterND (which sums repeated ids) instead of tfjs's own UnsortedSegmentSum: wasm has no kernel for
 * that, and the cpu kernel it is bridged to loops over every id of the table (49408 x tokens x width
 * operations for CLIP's vocabulary: minutes per step), while scatterND is one native pass over the
 * tokens. tfjs would also save the whole table for its gradient, a copy on wasm; only the ids are
 * saved here. (A one-hot matMul would be [tokens, count] wide.)
 */
export class Embedding extends Layer {
  readonly weight: tf.Variable<tf.Rank.R2>;

  constructor(
    readonly count: number,
    readonly width: number,
    rng: SeededRandom,
    /** Standard deviation of the normal initial weights. Default 1, as PyTorch. */
    std = 1,
  ) {
    super();
    this.weight = this.addVariable('weight', tf.tensor2d(rng.normalArray(count * width, std), [count, width]));
  }

  /** int32 ids [N, T] -> [N, T, width] */
  apply(ids: tf.Tensor2D): tf.Tensor3D {
    const [N, T] = ids.shape;
    const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [table, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const flatIds = tf.reshape(ids, [N * T]); // [N*T]
      save([flatIds]);
      return {
        value: tf.reshape(tf.gather(table, flatIds), [N, T, this.width]), // [N, T, width]
        gradFunc: (dy: tf.Tensor, [savedIds]: tf.Tensor[]) =>
          tf.tidy(() => tf.scatterND(tf.reshape(savedIds, [N * T, 1]), tf.reshape(dy, [N * T, this.width]), [this.count, this.width])), // [count, width]
      };
    });
    return tf.tidy(() => lookup(this.weight) as tf.Tensor3D);
  }
}
