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

/** Each image's label and its best classes. */
export interface ZeroShotPredictions {
  /** The label of each image [images]. */
  readonly labels: Int32Array;
  /** The `k` best classes of each image, best first [images, k]. */
  readonly ranked: Int32Array;
  /** min(5, classes). */
  readonly k: number;
}

/**
 * The zero-shot predictions of open_clip's zero_shot_eval: class embeddings from every template (each prompt
 * embedding normalised, averaged per class, normalised again), each image ranking the classes by its cosine
 * similarity with them.
 */
export async function zeroShotPredictions(model: ClipModel, tokenizer: Tokenizer, task: ZeroShotTask, batchSize = 256): Promise<ZeroShotPredictions> {
  const classifier = await model.zeroShotClassifier(tokenizer, task.classNames, task.templates, { batchSize });
  const k = Math.min(5, task.classNames.length);
  const labels: Int32Array[] = [];
  const ranked: Int32Array[] = [];
  try {
    for await (const batch of task.batches(batchSize)) {
      if (!batch.labels) throw new ClipkitError('a zero-shot task must give every image its label');
      const pixels = tf.tensor4d(batch.pixelValues, batch.pixelShape);
      const embeds = await model.encodeImage(pixels, { batchSize });
      pixels.dispose();
      const best = tf.tidy(() => tf.topk(tf.matMul(l2Normalize(embeds), tf.transpose(classifier)), k).indices);
      embeds.dispose();
      ranked.push(best.dataSync() as Int32Array);
      best.dispose();
      labels.push(batch.labels);
    }
  } finally {
    classifier.dispose();
  }
  const concat = (parts: Int32Array[]) => {
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  return { labels: concat(labels), ranked: concat(ranked), k };
}

/** Zero-shot top-1 / top-5 accuracy as open_clip's zero_shot_eval (see zeroShotPredictions). */
export async function zeroShotAccuracy(model: ClipModel, tokenizer: Tokenizer, task: ZeroShotTask, batchSize = 256): Promise<ZeroShotAccuracy> {
  return accuracyOf(await zeroShotPredictions(model, tokenizer, task, batchSize));
}

/** Top-1 and top-5 accuracy of predictions. */
export function accuracyOf({ labels, ranked, k }: ZeroShotPredictions): ZeroShotAccuracy {
  const count = labels.length;
  if (count === 0) throw new ClipkitError('the zero-shot task has no images');
  let top1 = 0;
  let top5 = 0;
  labels.forEach((label, i) => {
    const row = ranked.subarray(i * k, (i + 1) * k);
    if (row[0] === label) top1 += 1;
    if (row.includes(label)) top5 += 1;
  });
  return { top1: top1 / count, top5: top5 / count, count };
}
