#include "gemm.h"

#include <algorithm>
#include <vector>

#include "sgemm.h"
#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

// Below this many multiply-adds a product runs on the calling thread: waking workers costs more.
constexpr size_t kSerialMacs = size_t{1} << 17;
// A product smaller than this is not sliced when there are enough products to share out whole.
constexpr size_t kWholeProductMacs = size_t{1} << 22;
// Slices narrower than this lose more to repacking the shared operand than they gain.
constexpr size_t kMinSlice = 32;
// A product whose k is this many times its larger side is split along k (see splitK).
constexpr size_t kLongK = 4;
// Each piece of such a split spans about this many of k.
constexpr size_t kPieceK = 1024;
constexpr size_t kMaxPieces = 16;

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
  sgemm({g.transA, g.transB, r1 - r0, c1 - c0, g.k, 1.0f, aSlice, lda, bSlice, ldb, g.beta, c + r0 * g.n + c0, g.n});
}

// One product with a long k, as the weight gradients of a linear layer are (x^T dy: m and n are the
// layer's widths, k is batch x tokens, e.g. 256 x 1024 x 8320): cut into row or column slices, each
// slice repacks the whole of the other operand, 8320 x 256 values, for little work (52 GFLOP/s on
// [256 x 8320]^T [8320 x 256] against 75-80 for the other products). Here each piece of k is one
// product into a buffer of its own, and the pieces are summed in order: every value is packed once,
// and the number of pieces depends on k alone, so the result does not depend on the threads.
void splitK(const Gemm& g, size_t pieces) {
  const size_t mn = g.m * g.n;
  const size_t lda = g.transA ? g.m : g.k;
  const size_t ldb = g.transB ? g.k : g.n;
  std::vector<float> partial(pieces * mn);
  parallelFor(pieces, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; p++) {
      const size_t k0 = p * g.k / pieces, k1 = (p + 1) * g.k / pieces;
      // Column k0 of op(A): row k0 of A stored transposed ([k, m]), else column k0 of A ([m, k]); likewise B.
      const float* a = g.a + static_cast<size_t>(g.aIndex[0]) * g.m * g.k + (g.transA ? k0 * lda : k0);
      const float* b = g.b + static_cast<size_t>(g.bIndex[0]) * g.k * g.n + (g.transB ? k0 : k0 * ldb);
      sgemm({g.transA, g.transB, g.m, g.n, k1 - k0, 1.0f, a, lda, b, ldb, 0.0f, partial.data() + p * mn, g.n});
    }
  });
  parallelFor(mn, 16384, [&](size_t begin, size_t end) {
    float* c = g.c + begin;
    const float* first = partial.data() + begin;
    if (g.beta == 0.0f) simdLoop(end - begin, [&](size_t i) { c[i] = first[i]; });
    else simdLoop(end - begin, [&](size_t i) { c[i] = first[i] + g.beta * c[i]; });
    for (size_t p = 1; p < pieces; p++) {
      const float* piece = partial.data() + p * mn + begin;
      simdLoop(end - begin, [&](size_t i) { c[i] += piece[i]; });
    }
  });
}

}  // namespace

void gemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  const size_t productMacs = g.m * g.n * g.k;
  const size_t threadCount = static_cast<size_t>(threads());
  if (threadCount == 1 || productMacs * g.batch < kSerialMacs) {
    noteThread();
    for (size_t i = 0; i < g.batch; i++) slice(g, i, 0, g.m, 0, g.n);
    return;
  }
  const size_t pieces = std::min(kMaxPieces, g.k / kPieceK);
  if (g.batch == 1 && g.k >= kLongK * std::max(g.m, g.n) && pieces >= 2) return splitK(g, pieces);
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
