import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The N-API addon built from ../native (a GEMM, OpenBLAS's where installed, else its own, plus a thread pool).
 * Every function is synchronous and works in place on Float32Arrays: tfjs kernels are synchronous, so the
 * fast path has to be.
 */
export interface BlasAddon {
  info(): BlasAddonInfo;
  /** Threads of the addon's pool, the calling thread included (the GEMM itself runs one thread per slice). */
  setThreads(threads: number): void;
  /** How many distinct OS threads ran parallel work (a GEMM's slices, say) since the previous call. */
  threadsRan(): number;
  /** Runs every product from now on on the GEMM with this key (one of `info().gemms`, or "builtin" for clipkit's fastest). */
  useGemm(key: string): void;
  /**
   * One product on the calling thread, with row strides (as the addon's kernels call the GEMM): c = alpha op(a) op(b) + beta c,
   * op(a) [m, k] (a stored [k, m] when transA), op(b) [k, n] (stored [n, k] when transB), rows of a, b and c lda, ldb and ldc apart.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
  /**
   * c[i] = op(a[aIndex[i]]) op(b[bIndex[i]]) + beta c[i] for i < aIndex.length, with packed row-major
   * matrices: op(a) is [m, k] (stored [k, m] when transA), op(b) is [k, n] (stored [n, k] when transB).
   */
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    aIndex: Uint32Array,
    bIndex: Uint32Array,
    beta: number,
  ): void;
  /** Channels-last convolution; `sizes` holds the 15 numbers of native/src/conv2d.h, in its order. */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, sizes: Int32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, sizes: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, sizes: Int32Array): void;
  /** In place on [rows, columns]: v = act(v + bias[col]); `activation` numbered as {@link ADDON_ACTIVATIONS}. */
  biasActivation(values: Float32Array, rows: number, columns: number, bias: Float32Array | null, activation: number, leakyAlpha: number, preluAlpha: Float32Array | null): void;
  /** out = a op b over collapsed broadcast dims, each operand stepping by its strides (0 where broadcast); op numbered as {@link ADDON_BINARY_OPS}. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: Float64Array, aStrides: Float64Array, bStrides: Float64Array): void;
  /** out = op(x) elementwise; op numbered as {@link ADDON_UNARY_OPS}. */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** out (packed, shape dims) = the view of x starting at x[offset] and stepping strides[d] along dim d: Transpose, Slice, Split. */
  stridedCopy(x: Float32Array, out: Float32Array, offset: number, dims: Float64Array, strides: Float64Array): void;
  /** x as [outer, reduced, inner] reduced over the middle axis into out [outer, inner]; op numbered as {@link ADDON_REDUCE_OPS}. */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
  /** Softmax of each row of x [rows, columns]. */
  softmax(x: Float32Array, out: Float32Array, rows: number, columns: number): void;
  /** out = gelu(x) elementwise; `kind` numbered as {@link ADDON_GELUS}. */
  gelu(kind: number, x: Float32Array, out: Float32Array): void;
  /** dx = dy * gelu'(x) elementwise. */
  geluGrad(kind: number, dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** LayerNorm of each row of x [rows, columns] into y, with each row's mean and 1 / sqrt(var + eps) into mean and rstd [rows]. */
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, columns: number, eps: number): void;
  /** The gradients of layerNorm for x, gamma and beta, from the mean and rstd it saved. */
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    columns: number,
  ): void;
  /**
   * Self-attention of every head over qkv [batch, tokens, 3, heads, headWidth] (the in-proj product as is):
   * out [batch, tokens, heads x headWidth] = softmax(scale q k^T + mask) v per head, probs [batch, heads,
   * tokens, tokens] = the softmax; mask [tokens, tokens] or null.
   */
  attention(
    qkv: Float32Array,
    mask: Float32Array | null,
    out: Float32Array,
    probs: Float32Array,
    batch: number,
    tokens: number,
    heads: number,
    headWidth: number,
    scale: number,
  ): void;
  /** dqkv from dout [batch, tokens, width], with the qkv and probs of attention(). */
  attentionGrad(
    dout: Float32Array,
    qkv: Float32Array,
    probs: Float32Array,
    dqkv: Float32Array,
    batch: number,
    tokens: number,
    heads: number,
    headWidth: number,
    scale: number,
  ): void;
  /**
   * Training-mode BatchNorm of x [rows, channels] (channels last) into y, with each channel's mean, biased
   * variance and 1 / sqrt(variance + eps) into mean, variance and invStd [channels].
   */
  batchNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    invStd: Float32Array,
    rows: number,
    channels: number,
    eps: number,
  ): void;
  /** The gradients of batchNorm for x, gamma and beta, from the mean and invStd it returned. */
  batchNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    invStd: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    channels: number,
  ): void;
  /**
   * One AdamW update of every value of param with its moments m, v and gradient grad (all of one length) into
   * paramOut, mOut and vOut, with the scalars of @clipkit/core's AdamWStep.
   */
  adamW(
    param: Float32Array,
    m: Float32Array,
    v: Float32Array,
    grad: Float32Array,
    paramOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    beta1: number,
    beta2: number,
    eps: number,
    decay: number,
    stepSize: number,
    sqrtCorrection2: number,
  ): void;
  /**
   * nn.AvgPool2d(size) (kernel = stride = size, floor mode) of x [batch, height, width, channels] into
   * y [batch, height / size, width / size, channels] (rounded down).
   */
  averagePool(x: Float32Array, y: Float32Array, batch: number, height: number, width: number, channels: number, size: number): void;
  /** The gradient of averagePool for x, dx [batch, height, width, channels], from dy. */
  averagePoolGrad(dy: Float32Array, dx: Float32Array, batch: number, height: number, width: number, channels: number, size: number): void;
}

export interface BlasAddonInfo {
  apiVersion: number;
  /** Threads of the pool, the calling thread included. */
  threads: number;
  /** Worker threads alive now: threads - 1 once a parallel region has run, none before. */
  workers: number;
  /** The GEMM the products run on: "OpenBLAS 0.3.21 Haswell" (its version and the kernels it picked for this CPU), "clipkit sgemm AVX2", ... */
  gemm: string;
  /**
   * Keys of the GEMMs this machine runs, for {@link BlasAddon.useGemm}: "openblas" where libopenblas loads, then
   * clipkit's own builds from the fastest down, "avx2" where the CPU has AVX2 + FMA and "sse2" (x86-64's baseline).
   */
  gemms: string[];
}

/** The addon interface this code was written against; native/src/addon.cc holds the same number. */
const BLAS_ADDON_API_VERSION = 8;

/** Activation codes of native/src/bias-activation.h. */
export const ADDON_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5, prelu: 6 } as const;

/** Operation codes of native/src/binary.h, by tfjs kernel name. */
export const ADDON_BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6, Pow: 7 } as const;

/** Operation codes of native/src/unary.h, by tfjs kernel name. */
export const ADDON_UNARY_OPS = { Exp: 0, Sigmoid: 1, Sqrt: 2, Rsqrt: 3, Square: 4, Neg: 5, Erf: 6, Tanh: 7, Log: 8, Abs: 9, Relu: 10, Step: 11 } as const;

/** GELU codes of native/src/gelu.h. */
export const ADDON_GELUS = { quick: 0, exact: 1, tanh: 2 } as const;

/** Operation codes of native/src/reduce.h, by tfjs kernel name. */
export const ADDON_REDUCE_OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

export type BlasAddonLoad = { addon: BlasAddon; path: string } | { error: string; path: string };

/**
 * The package's build (scripts/build-native.mjs) copies the addon into dist/native; this path is the same
 * from dist/*.js and from src/*.ts (tests), both one level below the package root.
 */
function defaultBlasAddonPath(): string {
  return fileURLToPath(new URL('../dist/native/clipkit_blas.node', import.meta.url));
}

/**
 * Loads the addon from CLIPKIT_BLAS_ADDON (a path; for a build kept elsewhere) or the default path, and
 * selects the GEMM CLIPKIT_BLAS_GEMM names ("builtin", "openblas", or a key of `info().gemms`), if set.
 * Never throws: a missing file, a Node without the addon's N-API version, a build of another interface
 * version or a GEMM this machine lacks all come back as `error`, for the caller to warn and fall back.
 */
export function loadBlasAddon(path = process.env.CLIPKIT_BLAS_ADDON || defaultBlasAddonPath()): BlasAddonLoad {
  let addon: BlasAddon;
  try {
    addon = createRequire(import.meta.url)(path) as BlasAddon;
  } catch (error) {
    return { path, error: (error as Error).message.split('\n')[0] };
  }
  const version = typeof addon.info === 'function' ? addon.info().apiVersion : undefined;
  if (version !== BLAS_ADDON_API_VERSION) {
    return { path, error: `the addon's interface version is ${version}, this package needs ${BLAS_ADDON_API_VERSION} (a stale build: rebuild the package)` };
  }
  const gemm = process.env.CLIPKIT_BLAS_GEMM;
  if (gemm) {
    try {
      addon.useGemm(gemm);
    } catch (error) {
      return { path, error: `CLIPKIT_BLAS_GEMM: ${(error as Error).message}` };
    }
  }
  return { path, addon };
}
