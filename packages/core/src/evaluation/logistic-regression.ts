import { ClipkitError } from '../errors.js';
import { lbfgs } from './lbfgs.js';

/** Rows of features: `count` rows of `dim` values, one after another. */
export interface FeatureRows {
  readonly data: Float32Array | Float64Array;
  readonly count: number;
  readonly dim: number;
}

/** A multinomial logistic regression: class scores W x + b. */
export interface LogisticRegression {
  /** [classes, dim] */
  readonly weights: Float64Array;
  /** [classes] */
  readonly bias: Float64Array;
  readonly classes: number;
  readonly dim: number;
  /** L-BFGS iterations the fit took, and whether it met its tolerance. */
  readonly iterations: number;
  readonly converged: boolean;
}

export interface FitOptions {
  /** Inverse L2 strength, as sklearn's LogisticRegression(C): the penalty is ||W||^2 / (2 C) against the summed loss. */
  readonly c: number;
  /** Iterations at most. Default 1000 (the CLIP paper's max_iter). */
  readonly maxIterations?: number;
  /** Stop when no gradient component of the (mean) objective exceeds this. Default 1e-4, sklearn's tol. */
  readonly tolerance?: number;
}

/**
 * The objective sklearn's LogisticRegression(multi_class="multinomial", solver="lbfgs") minimises, divided by
 * C n (the same minimiser; sklearn >= 1.1 scales it so too): the mean cross-entropy of softmax(W x + b) plus
 * ||W||^2 / (2 C n), the bias not penalised. The parameters are [W^T (dim x classes), b], so the loops over the
 * classes run over adjacent values; the gradient is written into `gradient` in the same layout.
 */
function objective(rows: FeatureRows, labels: Int32Array, classes: number, c: number): (theta: Float64Array, gradient: Float64Array) => number {
  const { count, dim } = rows;
  const data = Float64Array.from(rows.data);
  const penalty = 1 / (c * count);
  const biasOffset = classes * dim;
  const scores = new Float64Array(classes);
  return (theta, gradient) => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < count; i++) {
      const row = i * dim;
      for (let k = 0; k < classes; k++) scores[k] = theta[biasOffset + k];
      for (let j = 0; j < dim; j++) {
        const x = data[row + j];
        const w = j * classes;
        for (let k = 0; k < classes; k++) scores[k] += theta[w + k] * x;
      }
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, scores[k]);
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        scores[k] = Math.exp(scores[k] - max);
        sum += scores[k];
      }
      loss += Math.log(sum) - Math.log(scores[labels[i]]);
      // d/dz_k of the mean cross-entropy: (p_k - [k = y]) / n.
      for (let k = 0; k < classes; k++) scores[k] = (scores[k] / sum - (k === labels[i] ? 1 : 0)) / count;
      for (let j = 0; j < dim; j++) {
        const x = data[row + j];
        const w = j * classes;
        for (let k = 0; k < classes; k++) gradient[w + k] += scores[k] * x;
      }
      for (let k = 0; k < classes; k++) gradient[biasOffset + k] += scores[k];
    }
    let squares = 0;
    for (let j = 0; j < biasOffset; j++) {
      squares += theta[j] * theta[j];
      gradient[j] += penalty * theta[j];
    }
    return loss / count + 0.5 * penalty * squares;
  };
}

/** [a, b] row-major -> [b, a]. */
function transpose(values: Float64Array, a: number, b: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[j * a + i] = values[i * b + j];
  return out;
}

/** Fits a multinomial logistic regression with L2 penalty 1/C by L-BFGS from zero, in float64. */
export function fitLogisticRegression(rows: FeatureRows, labels: Int32Array, classes: number, options: FitOptions): LogisticRegression {
  const { count, dim } = rows;
  if (labels.length !== count) throw new ClipkitError(`logistic regression: ${labels.length} labels for ${count} feature rows`);
  if (!(options.c > 0)) throw new ClipkitError(`logistic regression: C must be > 0, got ${options.c}`);
  const result = lbfgs(objective(rows, labels, classes, options.c), new Float64Array(classes * dim + classes), {
    maxIterations: options.maxIterations ?? 1000,
    gradientTolerance: options.tolerance ?? 1e-4,
  });
  return {
    weights: transpose(result.x.subarray(0, classes * dim), dim, classes),
    bias: result.x.slice(classes * dim),
    classes,
    dim,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** The best class of each row. */
export function predictClasses(model: LogisticRegression, rows: FeatureRows): Int32Array {
  const { data, count, dim } = rows;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = -Infinity;
    for (let k = 0; k < model.classes; k++) {
      let z = model.bias[k];
      for (let j = 0; j < dim; j++) z += model.weights[k * dim + j] * data[i * dim + j];
      if (z > best) {
        best = z;
        out[i] = k;
      }
    }
  }
  return out;
}

/** Fraction of rows whose predicted class is their label. */
export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}
