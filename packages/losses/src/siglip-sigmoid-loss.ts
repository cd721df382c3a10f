import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid } from './log-sigmoid.js';
import { checkChunkSize, checkFeatures, toScalar } from './loss-arguments.js';
import { rowWiseSum } from './row-wise-sum.js';
import { similarityLogits } from './similarity-logits.js';

export interface SigLipSigmoidLossOptions {
  /**
   * Rows of the B x B logit matrix computed at a time, in the forward and the backward pass, so that
   * memory grows with chunkSize x B instead of B x B. null computes the matrix whole. Default null.
   */
  chunkSize?: number | null;
}

/**
 * Rows [start, start + rows) of SigLIP's label matrix Y = 2I - 1: +1 for the matching pair, -1 for every
 * other. Written from host memory: built from ops, the tape would keep copies of every step for a
 * gradient no one needs (the labels are constants).
 */
function pairLabels(start: number, rows: number, batch: number): tf.Tensor2D {
  const labels = new Float32Array(rows * batch).fill(-1);
  for (let row = 0; row < rows; row++) labels[row * batch + start + row] = 1;
  return tf.tensor2d(labels, [rows, batch]); // [rows, B]
}

/** open_clip's SigLipLoss._loss: -sum(logsigmoid(Y * (s I T^T + b))) / B, with the whole matrix at once. */
function wholeSigmoidLoss(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar): tf.Scalar {
  const batch = imageFeatures.shape[0];
  const logits = similarityLogits(imageFeatures, textFeatures, scale, bias); // [B, B]
  const labels = pairLabels(0, batch, batch); // [B, B]
  return tf.div(tf.neg(rowWiseSum(logSigmoid(tf.mul<tf.Tensor2D>(labels, logits)))), batch);
}

/** [start, rows] of consecutive row blocks covering [0, batch). */
function rowChunks(batch: number, chunkSize: number): [number, number][] {
  const chunks: [number, number][] = [];
  for (let start = 0; start < batch; start += chunkSize) chunks.push([start, Math.min(chunkSize, batch - start)]);
  return chunks;
}

/** The block of rows [start, start + rows): its image rows I_c, similarities S_c = I_c T^T, labels Y_c and logits s S_c + b. */
function rowBlock(imageFeatures: tf.Tensor2D, textT: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar, start: number, rows: number) {
  const imageRows = tf.slice(imageFeatures, [start, 0], [rows, -1]); // [C, D]
  const similarities = tf.matMul(imageRows, textT); // [C, D] @ [D, B] = [C, B]
  const logits = tf.add(tf.mul(scale, similarities), bias); // [C, B]
  return { imageRows, similarities, labels: pairLabels(start, rows, textT.shape[1]), logits };
}

/**
 * The same loss with the logit matrix in blocks of rows. The gradient is written out rather than taped,
 * because tfjs's tape would keep every block for the backward pass: the backward pass recomputes each
 * block instead (one more I_c T^T product per block, for memory that grows with C x B).
 * With G = dL/dlogits = -(1/B) Y sigmoid(-Y logits) per block,
 *   dI_c = s G_c T,  dT = s sum_c G_c^T I_c,  ds = sum G * S,  db = sum G.
 */
function chunkedSigmoidLoss(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar, chunkSize: number): tf.Scalar {
  const batch = imageFeatures.shape[0];
  const chunks = rowChunks(batch, chunkSize);
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [image, text, s, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar, tf.GradSaveFunc];
    save([image, text, s, b]);
    const textT = tf.transpose(text); // [D, B]
    let total = tf.scalar(0);
    for (const [start, rows] of chunks) {
      const next = tf.tidy(() => {
        const { labels, logits } = rowBlock(image, textT, s, b, start, rows);
        return tf.add(total, rowWiseSum(logSigmoid(tf.mul<tf.Tensor2D>(labels, logits)))) as tf.Scalar;
      });
      total.dispose();
      total = next;
    }
    return {
      value: tf.div(tf.neg(total), batch),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => chunkedGradients(dy as tf.Scalar, saved as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar], chunks),
    };
  }) as (image: tf.Tensor2D, text: tf.Tensor2D, s: tf.Scalar, b: tf.Scalar) => tf.Scalar;
  return loss(imageFeatures, textFeatures, scale, bias);
}

function chunkedGradients(dy: tf.Scalar, [image, text, scale, bias]: [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar], chunks: [number, number][]): tf.Tensor[] {
  const batch = image.shape[0];
  const textT = tf.transpose(text); // [D, B]
  const weight = tf.div(tf.neg(dy), batch); // -(dy / B)
  const imageGrads: tf.Tensor2D[] = [];
  let textGrad: tf.Tensor2D = tf.zerosLike(text);
  let scaleGrad: tf.Scalar = tf.scalar(0);
  let biasGrad: tf.Scalar = tf.scalar(0);
  for (const [start, rows] of chunks) {
    const next = tf.tidy(() => {
      const { imageRows, similarities, labels, logits } = rowBlock(image, textT, scale, bias, start, rows);
      const dLogits: tf.Tensor2D = tf.mul(weight, tf.mul(labels, tf.sigmoid(tf.neg(tf.mul(labels, logits))))); // [C, B]
      return [
        tf.mul(scale, tf.matMul(dLogits, text)), // [C, B] @ [B, D] = [C, D]
        tf.add(textGrad, tf.mul(scale, tf.matMul(tf.transpose(dLogits), imageRows))), // [B, C] @ [C, D] = [B, D]
        tf.add(scaleGrad, rowWiseSum(tf.mul(dLogits, similarities))),
        tf.add(biasGrad, rowWiseSum(dLogits)),
      ] as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar];
    });
    tf.dispose([textGrad, scaleGrad, biasGrad]);
    imageGrads.push(next[0]);
    [, textGrad, scaleGrad, biasGrad] = next;
  }
  const imageGrad = tf.concat(imageGrads, 0); // [B, D]
  tf.dispose([textT, weight, ...imageGrads]);
  return [imageGrad, textGrad, scaleGrad, biasGrad];
}

/**
 * SigLIP's pairwise sigmoid loss, as open_clip's SigLipLoss (world size 1): every image-text pair is a
 * binary problem, positive on the diagonal, -sum(logsigmoid(Y * (s I T^T + b))) / B with Y = 2I - 1,
 * divided by the batch size, not by the B^2 pairs. Features [B, D] are L2-normalised; logitScale is the
 * multiplier exp(t'), not t'. With options.chunkSize the value and gradients are the same but no pass
 * holds the B x B matrix.
 */
export function sigLipSigmoidLoss(
  imageFeatures: tf.Tensor2D,
  textFeatures: tf.Tensor2D,
  logitScale: tf.Tensor | number,
  logitBias: tf.Tensor | number,
  options: SigLipSigmoidLossOptions = {},
): tf.Scalar {
  checkFeatures('sigLipSigmoidLoss', imageFeatures, textFeatures, true);
  const chunkSize = options.chunkSize ?? null;
  checkChunkSize('sigLipSigmoidLoss', chunkSize);
  return tf.tidy(() => {
    const scale = toScalar('sigLipSigmoidLoss', 'logitScale', logitScale);
    const bias = toScalar('sigLipSigmoidLoss', 'logitBias', logitBias);
    return chunkSize === null ? wholeSigmoidLoss(imageFeatures, textFeatures, scale, bias) : chunkedSigmoidLoss(imageFeatures, textFeatures, scale, bias, chunkSize);
  });
}
