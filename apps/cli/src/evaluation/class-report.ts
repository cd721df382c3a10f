import type { ZeroShotPredictions } from '@clipkit/core';

/** What zero-shot predictions say per class. */
export interface ClassReport {
  readonly classNames: readonly string[];
  /** Images of each true class. */
  readonly counts: number[];
  /** Top-1 accuracy of each class (NaN for a class without images). */
  readonly accuracy: number[];
  /** confusion[true][predicted]: images of a class given each top-1 class. */
  readonly confusion: number[][];
}

/** Per-class top-1 accuracy and the confusion matrix of zero-shot predictions. */
export function classReport(predictions: ZeroShotPredictions, classNames: readonly string[]): ClassReport {
  const n = classNames.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  predictions.labels.forEach((label, i) => {
    confusion[label][predictions.ranked[i * predictions.k]] += 1;
  });
  const counts = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return { classNames, counts, accuracy: confusion.map((row, c) => row[c] / counts[c]), confusion };
}
