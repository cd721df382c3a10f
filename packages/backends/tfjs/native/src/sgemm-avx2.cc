// clipkit's GEMM for CPUs with AVX2 and FMA (Haswell and later, every Zen): compiled for them
// function by function (target attributes), chosen at run time by sgemm.cc.
#if defined(__x86_64__)

#include <immintrin.h>

#include "packed-sgemm.h"

#define CLIPKIT_AVX2 __attribute__((target("avx2,fma")))

namespace clipkit {
namespace {

// Rows q of the result hold column q of the 8 x 8 block in r (the usual unpack/shuffle/permute network).
CLIPKIT_AVX2 inline void transpose8x8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; i++) {
    u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

// A 6 x 16 tile: 12 accumulators of 8 floats, 2 registers for a row of the B sliver and 1 for a
// broadcast value of A, 15 of the 16 ymm registers (the shape of BLIS's Haswell sgemm kernel). Each
// step of p loads 2 vectors of B and broadcasts 6 values of A for 12 FMAs: the 2 FMA units, not the
// loads, set the pace.
struct Avx2Tile {
  static constexpr size_t kRows = 6;
  static constexpr size_t kColumns = 16;

  // c [6 x W, row stride ldc] = alpha a b + beta c, with a the kc x 6 sliver and b the kc x W one
  // (W = 16, or 8 for a narrow last sliver). A call of its own: GCC inlines no AVX2 function into the
  // driver's templates, which are compiled for AVX2 only once inlined into packedSgemmAvx2.
  template <size_t W>
  CLIPKIT_AVX2 static void multiply(size_t kc, const float* a, const float* b, float* c, size_t ldc, float alpha,
                                    float beta) {
    constexpr size_t V = W / 8;
    __m256 sum[kRows][V];
#pragma GCC unroll 6
    for (size_t r = 0; r < kRows; r++) {
      for (size_t v = 0; v < V; v++) sum[r][v] = _mm256_setzero_ps();
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += kRows, b += W) {
      __m256 bv[V];
      for (size_t v = 0; v < V; v++) bv[v] = _mm256_load_ps(b + 8 * v);
#pragma GCC unroll 6
      for (size_t r = 0; r < kRows; r++) {
        const __m256 ar = _mm256_broadcast_ss(a + r);
        for (size_t v = 0; v < V; v++) sum[r][v] = _mm256_fmadd_ps(ar, bv[v], sum[r][v]);
      }
    }
    const __m256 scale = _mm256_set1_ps(alpha), keep = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (size_t r = 0; r < kRows; r++) {
      for (size_t v = 0; v < V; v++) {
        float* at = c + r * ldc + 8 * v;
        const __m256 value = _mm256_mul_ps(scale, sum[r][v]);
        _mm256_storeu_ps(at, beta == 0.0f ? value : _mm256_fmadd_ps(keep, _mm256_loadu_ps(at), value));
      }
    }
  }

  // out[p W + x] = from[x ld + p] for x < W, p < kc: W lines of kc values into a sliver, 8 x 8 blocks
  // at a time through registers (W = 6, the rows of A, takes 6 lines into each block).
  template <size_t W>
  CLIPKIT_AVX2 static void transpose(const float* from, size_t ld, size_t kc, float* out) {
    constexpr size_t kLines = W < 8 ? W : 8;
    size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (size_t x0 = 0; x0 < W; x0 += kLines) {
        __m256 block[8];
        for (size_t x = 0; x < 8; x++) {
          block[x] = x < kLines ? _mm256_loadu_ps(from + (x0 + x) * ld + p) : _mm256_setzero_ps();
        }
        transpose8x8(block);
        for (size_t q = 0; q < 8; q++) {
          float* to = out + (p + q) * W + x0;
          if (kLines == 8) {
            _mm256_storeu_ps(to, block[q]);
          } else {
            _mm_storeu_ps(to, _mm256_castps256_ps128(block[q]));
            _mm_storel_pi(reinterpret_cast<__m64*>(to + 4), _mm256_extractf128_ps(block[q], 1));
          }
        }
      }
    }
    for (; p < kc; p++) {
      for (size_t x = 0; x < W; x++) out[p * W + x] = from[x * ld + p];
    }
  }
};

}  // namespace

CLIPKIT_AVX2 void packedSgemmAvx2(const Sgemm& s) { packed::packedSgemm<Avx2Tile>(s); }

}  // namespace clipkit

#endif
