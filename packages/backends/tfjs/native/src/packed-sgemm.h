#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sgemm.h"

// Every function here is inlined into the entry point of one instruction set (sgemm-avx2.cc,
// sgemm-sse2.cc), which carries the target attribute: the packing loops vectorise for that set too.
#define CLIPKIT_SGEMM_INLINE inline __attribute__((always_inline))

namespace clipkit {

// clipkit's GEMM, built for each instruction set: AVX2 + FMA (x86-64 only) and the baseline.
void packedSgemmAvx2(const Sgemm& s);
void packedSgemmBaseline(const Sgemm& s);
// The baseline's instruction set as info() names it: "SSE2" on x86-64.
const char* baselineSgemmName();

namespace packed {

// A GotoBLAS/BLIS GEMM (Goto and van de Geijn, "Anatomy of high-performance matrix multiplication",
// 2008; the loop order is BLIS's). A Tile multiplies an MR x kc sliver of A by a kc x NR sliver of B in
// registers. Both operands are first copied ("packed") into the order the tile reads them, so that it
// streams contiguous memory whatever the transposes and row strides: B a kc x NC panel at a time
// (into L3, sliver by sliver into L1), A an MC x kc block at a time (into L2). Every sliver of B
// is then reused by MC / MR tiles from L1, every block of A by NC / NR tiles from L2.
constexpr size_t kMaxDepth = 256;     // kc: a 16-wide B sliver is 16 KB, with a 6-row A sliver within 32 KB of L1
constexpr size_t kTilesPerBlock = 24;  // MC = 24 MR rows: a 144 x 256 block of A is 144 KB, within L2
constexpr size_t kMaxPanel = 4096;     // NC: columns of B per packed panel (4 MB at kc 256, within L3)

constexpr size_t roundUp(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// The step that cuts `total` into as few pieces of at most `most` as possible, of equal size rounded up
// to `multiple`: k = 300 runs as 150 + 150 rather than 256 + 44, which would reread C for a thin slice.
CLIPKIT_SGEMM_INLINE size_t evenStep(size_t total, size_t most, size_t multiple) {
  const size_t pieces = (total + most - 1) / most;
  return roundUp((total + pieces - 1) / pieces, multiple);
}

// `floats` values at a 64-byte boundary (a cache line; the tiles' aligned loads need 32) in a buffer
// kept by the calling thread across calls.
CLIPKIT_SGEMM_INLINE float* alignedBuffer(std::vector<float>& storage, size_t floats) {
  if (storage.size() < floats + 16) storage.resize(floats + 16);
  const size_t misalignment = reinterpret_cast<uintptr_t>(storage.data()) % 64;
  return storage.data() + (misalignment ? (64 - misalignment) / sizeof(float) : 0);
}

// W-wide slivers: kc x W values, element (p, x) at p W + x (x a row of op(A), or a column of op(B)),
// from the source matrix in one of two layouts. Lines past `live` are zeros, so a tile never needs a
// short form.

// Each depth p is a run of `live` contiguous values at from + p ld (op(A) stored transposed, op(B) not).
template <size_t W>
CLIPKIT_SGEMM_INLINE void packRuns(const float* __restrict from, size_t ld, size_t kc, size_t live,
                                   float* __restrict out) {
  for (size_t p = 0; p < kc; p++, from += ld, out += W) {
    if (live == W) {
      std::memcpy(out, from, W * sizeof(float));
    } else {
      std::memcpy(out, from, live * sizeof(float));
      std::memset(out + live, 0, (W - live) * sizeof(float));
    }
  }
}

// Each line x is a run of kc contiguous values at from + x ld (op(A) stored as is, op(B) transposed):
// a transposition, done by the Tile for whole slivers (with its vector shuffles), here for the last.
template <typename Tile, size_t W>
CLIPKIT_SGEMM_INLINE void packLines(const float* __restrict from, size_t ld, size_t kc, size_t live,
                                    float* __restrict out) {
  if (live == W) return Tile::template transpose<W>(from, ld, kc, out);
  for (size_t x = 0; x < W; x++) {
    for (size_t p = 0; p < kc; p++) out[p * W + x] = x < live ? from[x * ld + p] : 0.0f;
  }
}

// Rows [i0, i0 + rows) and depth [p0, p0 + kc) of op(A), as slivers of MR rows.
template <typename Tile>
CLIPKIT_SGEMM_INLINE void packA(const Sgemm& s, size_t i0, size_t rows, size_t p0, size_t kc, float* out) {
  constexpr size_t MR = Tile::kRows;
  for (size_t i = i0; i < i0 + rows; i += MR, out += MR * kc) {
    const size_t live = std::min(MR, i0 + rows - i);
    if (s.transA) packRuns<MR>(s.a + p0 * s.lda + i, s.lda, kc, live, out);
    else packLines<Tile, MR>(s.a + i * s.lda + p0, s.lda, kc, live, out);
  }
}

// The width of the B sliver at column j of a panel of `columns`: NR, or NR / 2 for a last sliver that
// narrow, so that n = 65 wastes 7 columns of work instead of 15 (attention's token count).
template <typename Tile>
CLIPKIT_SGEMM_INLINE size_t sliverWidth(size_t j, size_t columns) {
  return columns - j <= Tile::kColumns / 2 ? Tile::kColumns / 2 : Tile::kColumns;
}

// Depth [p0, p0 + kc) and columns [j0, j0 + columns) of op(B), as slivers of NR columns (the last
// possibly NR / 2).
template <typename Tile>
CLIPKIT_SGEMM_INLINE void packB(const Sgemm& s, size_t p0, size_t kc, size_t j0, size_t columns, float* out) {
  constexpr size_t NR = Tile::kColumns;
  for (size_t j = 0; j < columns; j += NR, out += NR * kc) {
    const size_t live = std::min(NR, columns - j), col = j0 + j;
    const bool narrow = sliverWidth<Tile>(j, columns) < NR;
    if (!s.transB) {
      const float* from = s.b + p0 * s.ldb + col;
      if (narrow) packRuns<NR / 2>(from, s.ldb, kc, live, out);
      else packRuns<NR>(from, s.ldb, kc, live, out);
    } else {
      const float* from = s.b + col * s.ldb + p0;
      if (narrow) packLines<Tile, NR / 2>(from, s.ldb, kc, live, out);
      else packLines<Tile, NR>(from, s.ldb, kc, live, out);
    }
  }
}

// The rows x columns corner of C at c from one tile of width W: a tile at the bottom or right edge is
// computed whole into a local buffer (the packed zeros make its extra values zero) and only its live
// part is kept.
template <typename Tile, size_t W>
CLIPKIT_SGEMM_INLINE void tile(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows,
                               size_t columns, float alpha, float beta) {
  constexpr size_t MR = Tile::kRows;
  if (rows == MR && columns == W) return Tile::template multiply<W>(kc, a, b, c, ldc, alpha, beta);
  alignas(64) float local[MR * W];
  Tile::template multiply<W>(kc, a, b, local, W, alpha, 0.0f);
  for (size_t i = 0; i < rows; i++) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      for (size_t j = 0; j < columns; j++) row[j] = local[i * W + j];
    } else {
      for (size_t j = 0; j < columns; j++) row[j] = local[i * W + j] + beta * row[j];
    }
  }
}

// C = alpha op(A) op(B) + beta C for k >= 1 (sgemm.cc handles k = 0).
template <typename Tile>
CLIPKIT_SGEMM_INLINE void packedSgemm(const Sgemm& s) {
  constexpr size_t MR = Tile::kRows, NR = Tile::kColumns;
  const size_t kcStep = evenStep(s.k, kMaxDepth, 1);
  const size_t mcStep = evenStep(s.m, kTilesPerBlock * MR, MR);
  const size_t ncStep = evenStep(s.n, kMaxPanel, NR);
  thread_local std::vector<float> aStorage, bStorage;
  float* packedA = alignedBuffer(aStorage, mcStep * kcStep);
  float* packedB = alignedBuffer(bStorage, ncStep * kcStep);
  for (size_t j0 = 0; j0 < s.n; j0 += ncStep) {
    const size_t nc = std::min(ncStep, s.n - j0);
    for (size_t p0 = 0; p0 < s.k; p0 += kcStep) {
      const size_t kc = std::min(kcStep, s.k - p0);
      const float beta = p0 == 0 ? s.beta : 1.0f;  // each later piece of k adds to the sum so far
      packB<Tile>(s, p0, kc, j0, nc, packedB);
      for (size_t i0 = 0; i0 < s.m; i0 += mcStep) {
        const size_t mc = std::min(mcStep, s.m - i0);
        packA<Tile>(s, i0, mc, p0, kc, packedA);
        for (size_t j = 0; j < nc; j += NR) {
          const bool narrow = sliverWidth<Tile>(j, nc) < NR;
          for (size_t i = 0; i < mc; i += MR) {
            const float* a = packedA + i * kc;
            const float* b = packedB + j * kc;
            float* c = s.c + (i0 + i) * s.ldc + j0 + j;
            const size_t rows = std::min(MR, mc - i), columns = std::min(NR, nc - j);
            if (narrow) tile<Tile, NR / 2>(kc, a, b, c, s.ldc, rows, columns, s.alpha, beta);
            else tile<Tile, NR>(kc, a, b, c, s.ldc, rows, columns, s.alpha, beta);
          }
        }
      }
    }
  }
}

}  // namespace packed
}  // namespace clipkit
