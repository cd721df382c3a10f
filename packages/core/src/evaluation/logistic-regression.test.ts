import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.js';
import { lbfgs } from './lbfgs.js';
import { linearProbe } from './linear-probe.js';
import { accuracy, type FeatureRows, fitLogisticRegression, predictClasses } from './logistic-regression.js';

/** `count` points around `classes` random centres in `dim` dimensions, labelled by their centre. */
function blobs(seed: number, count: number, dim: number, classes: number, spread: number): { rows: FeatureRows; labels: Int32Array } {
  const rng = new SeededRandom(seed);
  const centres = new SeededRandom(1).normalArray(classes * dim);
  const labels = Int32Array.from({ length: count }, () => rng.int(classes));
  const data = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = centres[labels[i] * dim + j] + spread * rng.normal();
  return { rows: { data, count, dim }, labels };
}

/**
 * The same objective written independently, in the summed form sklearn documents (C sum of cross-entropies +
 * ||W||^2 / 2), minimised by Newton's method with the exact Hessian (solved by Gaussian elimination): a second
 * float64 method to check the L-BFGS fit against.
 */
function newtonFit(rows: FeatureRows, labels: Int32Array, classes: number, c: number): Float64Array {
  const { data, count, dim } = rows;
  const p = classes * (dim + 1); // [W (classes x dim), b]
  const theta = new Float64Array(p);
  const index = (k: number, j: number) => (j < dim ? k * dim + j : classes * dim + k); // feature j = dim is the bias
  const x = (i: number, j: number) => (j < dim ? data[i * dim + j] : 1);
  for (let iteration = 0; iteration < 30; iteration++) {
    const gradient = new Float64Array(p);
    const hessian = Array.from({ length: p }, () => new Float64Array(p));
    for (let i = 0; i < count; i++) {
      const z = Array.from({ length: classes }, (_, k) => {
        let s = 0;
        for (let j = 0; j <= dim; j++) s += theta[index(k, j)] * x(i, j);
        return s;
      });
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      const prob = e.map((v) => v / sum);
      for (let k = 0; k < classes; k++) {
        for (let j = 0; j <= dim; j++) gradient[index(k, j)] += c * (prob[k] - (labels[i] === k ? 1 : 0)) * x(i, j);
        for (let l = 0; l < classes; l++) {
          const weight = c * prob[k] * ((k === l ? 1 : 0) - prob[l]);
          for (let j = 0; j <= dim; j++) for (let m = 0; m <= dim; m++) hessian[index(k, j)][index(l, m)] += weight * x(i, j) * x(i, m);
        }
      }
    }
    for (let q = 0; q < classes * dim; q++) {
      gradient[q] += theta[q];
      hessian[q][q] += 1;
    }
    // The bias is unpenalised and softmax ignores a shift shared by all classes: pin that direction.
    for (let q = classes * dim; q < p; q++) hessian[q][q] += 1e-12;
    const step = solve(hessian, gradient);
    for (let q = 0; q < p; q++) theta[q] -= step[q];
  }
  return theta;
}

/** Solves A x = b by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let k = col; k <= n; k++) m[r][k] -= f * m[col][k];
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * out[k];
    out[r] = s / m[r][r];
  }
  return out;
}

describe('lbfgs', () => {
  it("finds the minimum of Rosenbrock's function, (1, 1)", () => {
    const rosenbrock = (x: Float64Array, g: Float64Array) => {
      g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
      g[1] = 200 * (x[1] - x[0] ** 2);
      return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
    };
    const result = lbfgs(rosenbrock, Float64Array.of(-1.2, 1), { gradientTolerance: 1e-8, valueTolerance: 0 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });
});

describe('fitLogisticRegression', () => {
  it("reaches the minimiser Newton's method finds for the summed objective, within 1e-6 on every weight", () => {
    const { rows, labels } = blobs(2, 120, 3, 3, 1.2);
    for (const c of [0.1, 10]) {
      const fit = fitLogisticRegression(rows, labels, 3, { c, maxIterations: 5000, tolerance: 1e-10 });
      expect(fit.converged).toBe(true);
      const reference = newtonFit(rows, labels, 3, c);
      // Softmax ignores a bias shift shared by every class: compare the biases relative to their mean.
      const centred = (b: ArrayLike<number>) => Array.from(b, (v) => v - Array.from(b).reduce((s, x) => s + x, 0) / b.length);
      const referenceBias = centred(reference.subarray(9));
      for (let q = 0; q < 9; q++) expect(Math.abs(fit.weights[q] - reference[q]), `C ${c} weight ${q}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(reference[q])));
      centred(fit.bias).forEach((v, k) => {
        expect(Math.abs(v - referenceBias[k]), `C ${c} bias ${k}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(referenceBias[k])));
      });
    }
  });

  it('classifies separable blobs, and a stronger penalty shrinks the weights', () => {
    const { rows, labels } = blobs(3, 300, 5, 4, 0.3);
    const loose = fitLogisticRegression(rows, labels, 4, { c: 100 });
    const tight = fitLogisticRegression(rows, labels, 4, { c: 1e-3 });
    expect(accuracy(predictClasses(loose, rows), labels)).toBe(1);
    const norm = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0));
    expect(norm(tight.weights)).toBeLessThan(norm(loose.weights) / 10);
  });
});

describe('linearProbe', () => {
  it("sweeps C over 10^-6 ... 10^6 and refines around the best to 8 steps per decade, as the CLIP paper's search", () => {
    const train = blobs(4, 200, 6, 3, 0.8);
    const validation = blobs(5, 100, 6, 3, 0.8);
    const test = blobs(6, 100, 6, 3, 0.8);
    const result = linearProbe(train, validation, test, 3);
    const exponents = result.sweep.map((s) => Math.log10(s.c));
    expect(exponents.slice(0, 7).map((e) => Math.round(e))).toEqual([-6, -4, -2, 0, 2, 4, 6]);
    // Every later C lies 1, 1/2, 1/4 or 1/8 decade from the best so far: at most 8 more fits.
    expect(result.sweep.length).toBeLessThanOrEqual(15);
    const best = Math.max(...result.sweep.map((s) => s.validationAccuracy));
    expect(result.validationAccuracy).toBe(best);
    expect(result.sweep.find((s) => s.c === result.c)!.validationAccuracy).toBe(best);
    expect(Number.isInteger(Math.round(Math.log10(result.c) * 8 * 1e6) / 1e6)).toBe(true);
    // The clusters overlap a little: far above chance (1/3), below perfect.
    expect(result.testAccuracy).toBeGreaterThan(0.8);
  });
});
