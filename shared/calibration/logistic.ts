/**
 * An L2-regularised logistic regression fitted by Newton's method (IRLS) on sparse rows:
 * deterministic (no random start, no sampling), exact to the tolerance, and small enough to
 * read. The intercept is not penalised.
 */

/** Observations as sparse rows: row i's features are `index/value[offsets[i] .. offsets[i + 1])`. */
export interface SparseRows {
  /** Number of features (columns). */
  features: number;
  offsets: Int32Array;
  index: Int32Array;
  value: Float64Array;
  /** 1 when the observation converted, else 0. */
  labels: Uint8Array;
}

export interface LogisticFit {
  intercept: number;
  /** One coefficient per feature, on the log-odds scale. */
  coefficients: Float64Array;
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** The L2 penalty on the coefficients (not the intercept). @default 1 */
  lambda?: number;
  /** @default 50 */
  maxIterations?: number;
  /** Stop when no parameter moves more than this. @default 1e-8 */
  tolerance?: number;
}

/** Fits `P(converted) = 1 / (1 + exp(-(intercept + x . coefficients)))` minimising log loss + lambda/2 |coefficients|^2. */
export function fitLogistic(rows: SparseRows, options: LogisticOptions = {}): LogisticFit {
  const { lambda = 1, maxIterations = 50, tolerance = 1e-8 } = options;
  const k = rows.features + 1; // parameter 0 is the intercept
  let beta = new Float64Array(k);
  let loss = lossOf(rows, beta, lambda);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const { gradient, hessian } = derivatives(rows, beta, lambda);
    const step = solve(hessian, gradient, k);
    // Newton with step halving: the penalised loss is convex, so some step always lowers it.
    let scale = 1;
    let next = beta;
    let nextLoss = loss;
    for (let h = 0; h < 30; h++) {
      next = beta.map((b, j) => b - scale * step[j]!);
      nextLoss = lossOf(rows, next, lambda);
      if (nextLoss <= loss) break;
      scale /= 2;
    }
    const moved = Math.max(...step.map((s) => Math.abs(s * scale)));
    beta = next;
    loss = nextLoss;
    converged = moved < tolerance;
  }
  return { intercept: beta[0]!, coefficients: beta.slice(1), iterations, converged };
}

/** The linear predictor of row i: intercept + x . coefficients. */
function linear(rows: SparseRows, beta: Float64Array, i: number): number {
  let z = beta[0]!;
  for (let p = rows.offsets[i]!; p < rows.offsets[i + 1]!; p++) z += beta[rows.index[p]! + 1]! * rows.value[p]!;
  return z;
}

function lossOf(rows: SparseRows, beta: Float64Array, lambda: number): number {
  let loss = 0;
  for (let i = 0; i < rows.labels.length; i++) {
    const z = linear(rows, beta, i);
    // log(1 + e^z) - y z, written so that it neither overflows nor loses precision.
    loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - rows.labels[i]! * z;
  }
  for (let j = 1; j < beta.length; j++) loss += (lambda / 2) * beta[j]! ** 2;
  return loss;
}

function derivatives(rows: SparseRows, beta: Float64Array, lambda: number) {
  const k = beta.length;
  const gradient = new Float64Array(k);
  const hessian = new Float64Array(k * k);
  for (let i = 0; i < rows.labels.length; i++) {
    const p = 1 / (1 + Math.exp(-linear(rows, beta, i)));
    const r = p - rows.labels[i]!;
    const w = p * (1 - p);
    const from = rows.offsets[i]!;
    const to = rows.offsets[i + 1]!;
    gradient[0]! += r;
    hessian[0]! += w;
    for (let a = from; a < to; a++) {
      const ja = rows.index[a]! + 1;
      const xa = rows.value[a]!;
      gradient[ja]! += r * xa;
      hessian[ja]! += w * xa; // row 0 (intercept), column ja
      for (let b = from; b < to; b++) hessian[ja * k + rows.index[b]! + 1]! += w * xa * rows.value[b]!;
    }
  }
  for (let j = 1; j < k; j++) {
    hessian[j * k]! = hessian[j]!; // symmetric: column 0 mirrors row 0
    gradient[j]! += lambda * beta[j]!;
    hessian[j * k + j]! += lambda;
  }
  hessian[0]! += 1e-9; // keeps an all-one-class sample solvable
  return { gradient, hessian };
}

/** Solves H x = g for a symmetric positive definite H (k x k, row-major) by Cholesky. */
export function solve(h: Float64Array, g: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = h[i * k + j]!;
      for (let m = 0; m < j; m++) sum -= l[i * k + m]! * l[j * k + m]!;
      l[i * k + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * k + j]!;
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = g[i]!;
    for (let m = 0; m < i; m++) sum -= l[i * k + m]! * y[m]!;
    y[i] = sum / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let m = i + 1; m < k; m++) sum -= l[m * k + i]! * x[m]!;
    x[i] = sum / l[i * k + i]!;
  }
  return x;
}
