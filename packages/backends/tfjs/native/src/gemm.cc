#include "gemm.h"

#include <cblas.h>

#include <algorithm>

#include "thread-pool.h"

namespace clipkit {
namespace {

// Below this many multiply-adds a product runs on the calling thread: waking workers costs more.
constexpr size_t kSerialMacs = size_t{1} << 17;
// A product smaller than this is not sliced when there are enough products to share out whole.
constexpr size_t kWholeProductMacs = size_t{1} << 22;
// Slices narrower than this lose more to repacking the shared operand than they gain.
constexpr size_t kMinSlice = 32;

// C rows [r0, r1) and columns [c0, c1) of product i.
void slice(const Gemm& g, size_t i, size_t r0, size_t r1, size_t c0, size_t c1) {
  const float* a = g.a + static_cast<size_t>(g.aIndex[i]) * g.m * g.k;
  const float* b = g.b + static_cast<size_t>(g.bIndex[i]) * g.k * g.n;
  float* c = g.c + i * g.m * g.n;
  const size_t lda = g.transA ? g.m : g.k;
  const size_t ldb = g.transB ? g.k : g.n;
  // Row r of op(A) starts at a + r*lda, or at column r (a + r) when A is stored transposed.
  const float* aSlice = a + (g.transA ? r0 : r0 * lda);
  const float* bSlice = b + (g.transB ? c0 * ldb : c0);
  cblas_sgemm(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, g.transB ? CblasTrans : CblasNoTrans,
              static_cast<int>(r1 - r0), static_cast<int>(c1 - c0), static_cast<int>(g.k), 1.0f, aSlice,
              static_cast<int>(std::max<size_t>(1, lda)), bSlice, static_cast<int>(std::max<size_t>(1, ldb)),
              g.beta, c + r0 * g.n + c0, static_cast<int>(std::max<size_t>(1, g.n)));
}

}  // namespace

void gemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  if (g.k == 0) {
    // cblas rejects a zero leading dimension; an empty sum is zero (beta C; C may be uninitialised when beta is 0).
    for (size_t i = 0; i < g.batch * g.m * g.n; i++) g.c[i] = g.beta == 0.0f ? 0.0f : g.c[i] * g.beta;
    return;
  }
  const size_t productMacs = g.m * g.n * g.k;
  const size_t threadCount = static_cast<size_t>(threads());
  if (threadCount == 1 || productMacs * g.batch < kSerialMacs) {
    for (size_t i = 0; i < g.batch; i++) slice(g, i, 0, g.m, 0, g.n);
    return;
  }
  if (g.batch >= threadCount && productMacs < kWholeProductMacs) {
    parallelFor(g.batch, 1, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) slice(g, i, 0, g.m, 0, g.n);
    });
    return;
  }
  // Slice the longer side of each product: every thread packs the other operand whole.
  const bool byRows = g.m >= g.n;
  parallelFor(byRows ? g.m : g.n, kMinSlice, [&](size_t begin, size_t end) {
    for (size_t i = 0; i < g.batch; i++) {
      if (byRows) slice(g, i, begin, end, 0, g.n);
      else slice(g, i, 0, g.m, begin, end);
    }
  });
}

}  // namespace clipkit
