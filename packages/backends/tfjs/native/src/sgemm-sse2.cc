// clipkit's GEMM for any CPU: plain C++ on 4-float vectors (GCC/Clang vector extensions), which is SSE2,
// x86-64's baseline, on x86-64 (and NEON on arm64). sgemm.cc takes it where AVX2 + FMA are missing.
#include <cstring>

#include "packed-sgemm.h"

namespace clipkit {
namespace {

typedef float Float4 __attribute__((vector_size(16)));

inline Float4 load4(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store4(float* p, Float4 v) { std::memcpy(p, &v, sizeof v); }

// A 6 x 8 tile: 12 accumulators of 4 floats, 2 registers for a row of the B sliver and 1 for a
// broadcast value of A, 15 of SSE2's 16 xmm registers.
struct Sse2Tile {
  static constexpr size_t kRows = 6;
  static constexpr size_t kColumns = 8;

  // c [6 x W, row stride ldc] = alpha a b + beta c, with a the kc x 6 sliver and b the kc x W one
  // (W = 8, or 4 for a narrow last sliver).
  template <size_t W>
  static void multiply(size_t kc, const float* a, const float* b, float* c, size_t ldc, float alpha, float beta) {
    constexpr size_t V = W / 4;
    Float4 sum[kRows][V] = {};
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += kRows, b += W) {
      Float4 bv[V];
      for (size_t v = 0; v < V; v++) bv[v] = load4(b + 4 * v);
#pragma GCC unroll 6
      for (size_t r = 0; r < kRows; r++) {
        for (size_t v = 0; v < V; v++) sum[r][v] += a[r] * bv[v];
      }
    }
#pragma GCC unroll 6
    for (size_t r = 0; r < kRows; r++) {
      for (size_t v = 0; v < V; v++) {
        float* at = c + r * ldc + 4 * v;
        const Float4 value = alpha * sum[r][v];
        store4(at, beta == 0.0f ? value : value + beta * load4(at));
      }
    }
  }

  // out[p W + x] = from[x ld + p] for x < W, p < kc, value by value.
  template <size_t W>
  static void transpose(const float* __restrict from, size_t ld, size_t kc, float* __restrict out) {
    for (size_t x = 0; x < W; x++) {
      for (size_t p = 0; p < kc; p++) out[p * W + x] = from[x * ld + p];
    }
  }
};

}  // namespace

void packedSgemmBaseline(const Sgemm& s) { packed::packedSgemm<Sse2Tile>(s); }

const char* baselineSgemmName() {
#if defined(__x86_64__)
  return "SSE2";
#elif defined(__aarch64__)
  return "NEON";
#else
  return "generic";
#endif
}

}  // namespace clipkit
