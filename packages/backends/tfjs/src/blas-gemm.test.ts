import { SeededRandom } from '@clipkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlasAddon, loadBlasAddon } from './blas-addon.js';
import { describeEachGemm, expectGemmInUse, gemmKeys, relativeError, requireBlasAddon } from './testing/blas-test-support.js';

// The addon's GEMM called directly (addon.sgemm: one product on the calling thread, with row strides, as
// the kernels call it) against a float64 product computed here, on every GEMM this machine has. Error:
// max |C - reference| / max |reference| over the product. Float32 sums in another order measured at most
// 5.1e-7 here (65x64x65, on all three GEMMs), while an indexing slip (a wrong row, a dropped edge, a
// missed piece of k) is of order 1.
const TOLERANCE = 1e-5;

let addon: BlasAddon;

beforeAll(() => {
  addon = requireBlasAddon();
});

interface Product {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra values at the end of each stored row of A, B and C (row stride = row length + pad). */
  pad: number;
}

/** Seeded values in [-1, 1). */
function values(size: number, seed: number): Float32Array {
  return new SeededRandom(seed).uniformArray(size, -1, 1);
}

/** Runs the product on the addon from seeded inputs; returns C (with its pads) and the float64 reference of its live values. */
function multiply({ transA, transB, m, n, k, alpha, beta, pad }: Product): { c: Float32Array; c0: Float32Array; reference: Float64Array; ldc: number } {
  // Stored shapes: A [m, k] ([k, m] when transA), B [k, n] ([n, k] when transB), C [m, n].
  const [aRows, aColumns] = transA ? [k, m] : [m, k];
  const [bRows, bColumns] = transB ? [n, k] : [k, n];
  const [lda, ldb, ldc] = [aColumns + pad, bColumns + pad, n + pad];
  const a = values(aRows * lda, 1);
  const b = values(bRows * ldb, 2);
  const c0 = values(m * ldc, 3);
  const opA = (i: number, p: number): number => (transA ? a[p * lda + i] : a[i * lda + p]);
  const opB = (p: number, j: number): number => (transB ? b[j * ldb + p] : b[p * ldb + j]);
  const reference = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += opA(i, p) * opB(p, j);
      reference[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * c0[i * ldc + j]);
    }
  }
  // beta 0 means C is only written: NaN there must not reach the result.
  const c = beta === 0 ? c0.map((v, i) => (i % ldc < n ? Number.NaN : v)) : c0.slice();
  addon.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  return { c, c0, reference, ldc };
}

/** The live values of C, row by row. */
function live(c: Float32Array, m: number, n: number, ldc: number): Float32Array {
  return Float32Array.from({ length: m * n }, (_, i) => c[Math.floor(i / n) * ldc + (i % n)]);
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

// Tiny products; one below and one above a tile (6 rows x 16 columns for AVX2, 6 x 8 for SSE2) in each
// direction; attention's 65 tokens (a last column sliver of one column); k cut into pieces (kc 256) and m
// into blocks (144 rows); a wide n (a last narrow sliver after full ones).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [5, 7, 3],
  [6, 16, 1],
  [65, 64, 65],
  [65, 65, 64],
  [13, 17, 600],
  [300, 33, 8],
  [3, 203, 40],
];

describeEachGemm(
  () => addon,
  () => {
    for (const [m, n, k] of SHAPES) {
      for (const [transA, transB] of TRANSPOSES) {
        it(`${m}x${n}x${k}, transA ${transA}, transB ${transB}, padded rows, alpha 0.5, beta 0 over NaN`, () => {
          const { c, c0, reference, ldc } = multiply({ transA, transB, m, n, k, alpha: 0.5, beta: 0, pad: 3 });
          expect(relativeError(live(c, m, n, ldc), Float32Array.from(reference))).toBeLessThanOrEqual(TOLERANCE);
          // The pads between C's rows are not C's: untouched.
          c.forEach((v, i) => {
            if (i % ldc >= n) expect(v).toBe(c0[i]);
          });
        });
      }
    }

    it.each([1, -0.5])('adds beta C (beta %s) to packed products, transposed and not', (beta) => {
      for (const [transA, transB] of TRANSPOSES) {
        const { c, reference, ldc } = multiply({ transA, transB, m: 37, n: 29, k: 300, alpha: 1, beta, pad: 0 });
        expect(relativeError(live(c, 37, 29, ldc), Float32Array.from(reference))).toBeLessThanOrEqual(TOLERANCE);
      }
    });

    it('gives beta C for an empty sum (k = 0), and zeros for beta 0', () => {
      for (const beta of [0, 2]) {
        const { c, reference, ldc } = multiply({ transA: false, transB: false, m: 4, n: 5, k: 0, alpha: 1, beta, pad: 1 });
        expect(live(c, 4, 5, ldc)).toEqual(Float32Array.from(reference));
      }
    });
  },
);

describe('choosing the GEMM', () => {
  afterAll(() => {
    delete process.env.CLIPKIT_BLAS_GEMM;
    addon.useGemm(gemmKeys()[0]);
  });

  it('lists OpenBLAS first where it loads, and takes clipkit\'s fastest build for "builtin"', () => {
    const keys = gemmKeys();
    expect(keys.filter((key) => key !== 'openblas')).toEqual(keys.slice(keys[0] === 'openblas' ? 1 : 0));
    expect(keys.at(-1)).toBe('sse2');
    addon.useGemm('builtin');
    expectGemmInUse(addon, keys.find((key) => key !== 'openblas') as string);
  });

  it('takes CLIPKIT_BLAS_GEMM when the addon is loaded, and refuses a GEMM this machine lacks', () => {
    process.env.CLIPKIT_BLAS_GEMM = 'sse2';
    expect('addon' in loadBlasAddon()).toBe(true);
    expectGemmInUse(addon, 'sse2');
    process.env.CLIPKIT_BLAS_GEMM = 'avx9';
    const load = loadBlasAddon();
    expect('error' in load && load.error).toMatch(/^CLIPKIT_BLAS_GEMM: .*this machine has no GEMM "avx9"; it has .*"sse2", and "builtin"/);
    expectGemmInUse(addon, 'sse2');
  });

  it('rejects a row stride shorter than its row, naming it', () => {
    expect(() => addon.sgemm(false, false, 2, 3, 4, 1, new Float32Array(8), 3, new Float32Array(12), 3, 0, new Float32Array(6), 3)).toThrow(
      /sgemm: a row stride is less than its matrix's row/,
    );
    expect(() => addon.sgemm(false, false, 2, 3, 4, 1, new Float32Array(7), 4, new Float32Array(12), 3, 0, new Float32Array(6), 3)).toThrow(/argument 6 holds 7 values, needs 8/);
  });
});
