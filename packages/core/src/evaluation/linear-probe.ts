import { accuracy, type FeatureRows, fitLogisticRegression, type LogisticRegression, predictClasses } from './logistic-regression.js';

/** Feature rows with their class labels. */
export interface LabelledRows {
  readonly rows: FeatureRows;
  readonly labels: Int32Array;
}

export interface LinearProbeResult {
  /** The chosen inverse L2 strength C (the CLIP paper's lambda is 1 / C). */
  readonly c: number;
  /** Accuracy on the validation split at that C. */
  readonly validationAccuracy: number;
  /** Accuracy on the test set of the model refitted on train and validation at that C. */
  readonly testAccuracy: number;
  /** Every C tried, in the order tried. */
  readonly sweep: readonly { readonly c: number; readonly validationAccuracy: number }[];
  /** The final model. */
  readonly model: LogisticRegression;
}

export interface LinearProbeOptions {
  /** L-BFGS iterations per fit. Default 1000. */
  readonly maxIterations?: number;
  /** Told each C as it is scored. */
  readonly onFit?: (c: number, validationAccuracy: number, fit: LogisticRegression) => void;
}

/** The C grid's ends, in decades: 10^-6 ... 10^6. */
const FIRST_EXPONENTS = [-6, -4, -2, 0, 2, 4, 6];
/** Stop halving at 8 steps per decade. */
const FINEST_STEP = 1 / 8;

function concatRows(a: LabelledRows, b: LabelledRows): LabelledRows {
  const data = new Float64Array(a.rows.data.length + b.rows.data.length);
  data.set(a.rows.data);
  data.set(b.rows.data, a.rows.data.length);
  const labels = new Int32Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { rows: { data, count: a.rows.count + b.rows.count, dim: a.rows.dim }, labels };
}

/**
 * A linear probe as the CLIP paper's (Radford et al. 2021, appendix A.3): L-BFGS logistic regression on frozen
 * features, the L2 strength chosen on a validation split by a parametric binary search, starting from
 * C = 10^-6, 10^-4, ..., 10^6 and halving the interval around the best C until 8 steps per decade; then the model
 * is refitted on train and validation at that C and scored on the test set. Every fit starts from zero, as
 * sklearn's does: with its tolerance (1e-4 on the mean objective's gradient), a fit started from a nearby C's
 * solution can stop at once, so all large Cs would score alike.
 */
export function linearProbe(train: LabelledRows, validation: LabelledRows, test: LabelledRows, classes: number, options: LinearProbeOptions = {}): LinearProbeResult {
  const fits = new Map<number, { model: LogisticRegression; validationAccuracy: number }>();
  const sweep: { c: number; validationAccuracy: number }[] = [];
  const score = (exponent: number) => {
    if (fits.has(exponent) || exponent < FIRST_EXPONENTS[0] || exponent > FIRST_EXPONENTS.at(-1)!) return;
    const c = 10 ** exponent;
    const model = fitLogisticRegression(train.rows, train.labels, classes, { c, maxIterations: options.maxIterations });
    const validationAccuracy = accuracy(predictClasses(model, validation.rows), validation.labels);
    fits.set(exponent, { model, validationAccuracy });
    sweep.push({ c, validationAccuracy });
    options.onFit?.(c, validationAccuracy, model);
  };
  // Ties go to the stronger penalty (the smaller C), the first of them in ascending order.
  const best = () => [...fits].sort(([a, x], [b, y]) => y.validationAccuracy - x.validationAccuracy || a - b)[0][0];
  for (const exponent of FIRST_EXPONENTS) score(exponent);
  for (let step = 1; step >= FINEST_STEP; step /= 2) {
    const centre = best();
    score(centre - step);
    score(centre + step);
  }
  const exponent = best();
  const c = 10 ** exponent;
  const all = concatRows(train, validation);
  const model = fitLogisticRegression(all.rows, all.labels, classes, { c, maxIterations: options.maxIterations });
  return { c, validationAccuracy: fits.get(exponent)!.validationAccuracy, testAccuracy: accuracy(predictClasses(model, test.rows), test.labels), sweep, model };
}
