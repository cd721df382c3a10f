/** The objective's value at x, with its gradient written into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Iterations at most (sklearn's max_iter). Default 1000. */
  maxIterations?: number;
  /** Stop when max |gradient| <= this (scipy's pgtol, sklearn's tol). Default 1e-4. */
  gradientTolerance?: number;
  /** Stop when the relative decrease (f_k - f_k+1) / max(|f_k|, |f_k+1|, 1) <= this (sklearn's ftol 64 eps). Default 64 * 2^-52. */
  valueTolerance?: number;
  /** Correction pairs kept (scipy's maxcor). Default 10. */
  memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  /** Whether a tolerance was met (false: stopped at maxIterations or a failed line search). */
  readonly converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
};

/**
 * Minimises a smooth function with limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed.,
 * algorithm 7.4: the two-loop recursion, H0 = (s'y / y'y) I), in float64, with a backtracking line search on
 * the Armijo condition (c1 = 1e-4). A pair whose curvature s'y is not positive is not kept, so the inverse
 * Hessian estimate stays positive definite. `x0` is not modified.
 */
export function lbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIterations = 1000, gradientTolerance = 1e-4, valueTolerance = 64 * 2 ** -52, memory = 10 } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = objective(x, g);
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(memory);
  if (maxAbs(g) <= gradientTolerance) return { x, value: f, iterations: 0, converged: true };
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Two-loop recursion: direction = -H g.
    direction.set(g);
    for (let i = pairs.length - 1; i >= 0; i--) {
      const { s, y, rho } = pairs[i];
      alpha[i] = rho * dot(s, direction);
      for (let j = 0; j < n; j++) direction[j] -= alpha[i] * y[j];
    }
    const last = pairs.at(-1);
    const gamma = last ? dot(last.s, last.y) / dot(last.y, last.y) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let j = 0; j < n; j++) direction[j] *= gamma;
    for (let i = 0; i < pairs.length; i++) {
      const { s, y, rho } = pairs[i];
      const beta = rho * dot(y, direction);
      for (let j = 0; j < n; j++) direction[j] += s[j] * (alpha[i] - beta);
    }
    for (let j = 0; j < n; j++) direction[j] = -direction[j];
    let slope = dot(g, direction);
    if (slope >= 0) {
      // Not a descent direction (rounding): restart from steepest descent.
      pairs.length = 0;
      for (let j = 0; j < n; j++) direction[j] = -g[j] / Math.max(1, Math.sqrt(dot(g, g)));
      slope = dot(g, direction);
    }
    const next = new Float64Array(n);
    const nextGradient = new Float64Array(n);
    let step = 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 50; tries++) {
      for (let j = 0; j < n; j++) next[j] = x[j] + step * direction[j];
      nextValue = objective(next, nextGradient);
      if (nextValue <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue <= f + 1e-4 * step * slope)) return { x, value: f, iterations: iteration, converged: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = next[j] - x[j];
      y[j] = nextGradient[j] - g[j];
    }
    const curvature = dot(s, y);
    if (curvature > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / curvature });
      if (pairs.length > memory) pairs.shift();
    }
    const decrease = (f - nextValue) / Math.max(Math.abs(f), Math.abs(nextValue), 1);
    x = next;
    g = nextGradient;
    f = nextValue;
    if (maxAbs(g) <= gradientTolerance || decrease <= valueTolerance) return { x, value: f, iterations: iteration, converged: true };
  }
  return { x, value: f, iterations: maxIterations, converged: false };
}
