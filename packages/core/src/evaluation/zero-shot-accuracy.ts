import * as tf from '@tensorflow/tfjs-core';
import type { ZeroShotTask } from '../components/dataset.js';
import type { Tokenizer } from '../components/tokenizer.js';
import { ClipkitError } from '../errors.js';
import type { ClipModel } from '../model/clip-model.js';
import { l2Normalize } from '../model/l2-normalize.js';

export interface ZeroShotAccuracy {
  /** Fraction of images whose label is the best class. */
  top1: number;
  /** Fraction of images whose label is among the 5 best classes (all classes when there are fewer). */
  top5: number;
  /** Images evaluated. */
  count: number;
}

/**
 * Zero-shot top-1 / top-5 accuracy as open_clip's zero_shot_eval: class embeddings from every template
 * (each prompt embedding normalised, averaged per class, normalised again), each image classified by its
 * cosine similarity with them.
 */
export async function zeroShotAccuracy(model: ClipModel, tokenizer: Tokenizer, task: ZeroShotTask, batchSize = 256): Promise<ZeroShotAccuracy> {
  const classifier = await model.zeroShotClassifier(tokenizer, task.classNames, task.templates, { batchSize });
  const k = Math.min(5, task.classNames.length);
  let top1 = 0;
  let top5 = 0;
  let count = 0;
  try {
    for await (const batch of task.batches(batchSize)) {
      if (!batch.labels) throw new ClipkitError('a zero-shot task must give every image its label');
      const pixels = tf.tensor4d(batch.pixelValues, batch.pixelShape);
      const embeds = await model.encodeImage(pixels, { batchSize });
      pixels.dispose();
      const best = tf.tidy(() => tf.topk(tf.matMul(l2Normalize(embeds), tf.transpose(classifier)), k).indices);
      embeds.dispose();
      const ranked = best.dataSync();
      best.dispose();
      batch.labels.forEach((label, i) => {
        const row = ranked.subarray(i * k, (i + 1) * k);
        if (row[0] === label) top1 += 1;
        if (row.includes(label)) top5 += 1;
      });
      count += batch.labels.length;
    }
  } finally {
    classifier.dispose();
  }
  if (count === 0) throw new ClipkitError('the zero-shot task has no images');
  return { top1: top1 / count, top5: top5 / count, count };
}
