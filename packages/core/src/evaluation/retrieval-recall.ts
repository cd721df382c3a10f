import * as tf from '@tensorflow/tfjs-core';
import type { RetrievalTask } from '../components/dataset.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { ClipkitError } from '../errors.js';
import type { ClipModel } from '../model/clip-model.js';
import { l2Normalize } from '../model/l2-normalize.js';

/** Recall@K in one direction: the fraction of queries whose match is among the K best candidates. */
export interface RecallAtK {
  r1: number;
  r5: number;
  r10: number;
}

export interface RetrievalRecall {
  imageToText: RecallAtK;
  textToImage: RecallAtK;
  count: number;
}

const KS = [1, 5, 10] as const;

/** Rank of the true match of every query row (0 = best), given similarities [queries, candidates] with the match on the diagonal. */
function matchRanks(similarity: tf.Tensor2D): Int32Array {
  return tf.tidy(() => {
    const diagonal = tf.reshape(tf.sum(tf.mul(similarity, tf.eye(similarity.shape[0])), 1), [-1, 1]); // [N, 1]
    return tf.sum(tf.cast(tf.greater(similarity, diagonal), 'int32'), 1).dataSync() as Int32Array;
  });
}

function recall(ranks: Int32Array): RecallAtK {
  const [r1, r5, r10] = KS.map((k) => ranks.filter((r) => r < k).length / ranks.length);
  return { r1, r5, r10 };
}

/** Image-to-text and text-to-image Recall@1/5/10 over a task where image i matches caption i (open_clip's retrieval metrics). */
export async function retrievalRecall(model: ClipModel, tokenizer: Tokenizer, task: RetrievalTask, batchSize = 256): Promise<RetrievalRecall> {
  const images: tf.Tensor2D[] = [];
  const texts: tf.Tensor2D[] = [];
  try {
    for await (const batch of task.batches(batchSize)) {
      const pixels = tf.tensor4d(batch.pixelValues, batch.pixelShape);
      images.push(await model.encodeImage(pixels, { batchSize }));
      pixels.dispose();
      const ids = model.tokenize(tokenizer, batch.captions);
      texts.push(await model.encodeText(ids, { batchSize }));
      ids.dispose();
    }
    if (images.length === 0) throw new ClipkitError('the retrieval task has no pairs');
    const similarity = tf.tidy(() => tf.matMul(l2Normalize(tf.concat(images, 0)), tf.transpose(l2Normalize(tf.concat(texts, 0)))) as tf.Tensor2D);
    const transposed = tf.transpose(similarity);
    const result = { imageToText: recall(matchRanks(similarity)), textToImage: recall(matchRanks(transposed)), count: similarity.shape[0] };
    tf.dispose([similarity, transposed]);
    return result;
  } finally {
    tf.dispose([...images, ...texts]);
  }
}
