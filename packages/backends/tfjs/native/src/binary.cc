#include "binary.h"

#include <algorithm>
#include <cmath>

#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

// Rows are cut into pieces of this many values, so that a long 1-D operation still spreads over threads.
constexpr size_t kPiece = 16384;

// One contiguous run of the output; the branches on the strides let the compiler vectorise each case.
template <typename F>
void run(F f, const float* a, ptrdiff_t sa, const float* b, ptrdiff_t sb, float* out, size_t n) {
  if (sa == 1 && sb == 1) {
    simdLoop(n, [&](size_t i) { out[i] = f(a[i], b[i]); });
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
    simdLoop(n, [&](size_t i) { out[i] = f(a[i], bv); });
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
    simdLoop(n, [&](size_t i) { out[i] = f(av, b[i]); });
  } else {
    for (size_t i = 0; i < n; i++) out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename F>
void broadcast(F f, const float* a, const float* b, float* out, size_t rank, const size_t* dims,
               const ptrdiff_t* aStrides, const ptrdiff_t* bStrides) {
  const size_t inner = rank ? dims[rank - 1] : 1;
  const ptrdiff_t sa = rank ? aStrides[rank - 1] : 0, sb = rank ? bStrides[rank - 1] : 0;
  const size_t piecesPerRow = (inner + kPiece - 1) / kPiece;
  size_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= dims[d];
  parallelFor(rows * piecesPerRow, std::max<size_t>(1, kPiece / std::max<size_t>(1, inner)), [&](size_t begin, size_t end) {
    for (size_t task = begin; task < end; task++) {
      const size_t row = task / piecesPerRow, piece = task % piecesPerRow;
      // Offsets of this row in a and b, from its multi-index over the outer dims.
      ptrdiff_t aOffset = 0, bOffset = 0;
      size_t rest = row;
      for (size_t d = rank - 1; d-- > 0;) {
        const size_t coordinate = rest % dims[d];
        rest /= dims[d];
        aOffset += static_cast<ptrdiff_t>(coordinate) * aStrides[d];
        bOffset += static_cast<ptrdiff_t>(coordinate) * bStrides[d];
      }
      const size_t first = piece * kPiece, count = std::min(kPiece, inner - first);
      const ptrdiff_t start = static_cast<ptrdiff_t>(first);
      run(f, a + aOffset + start * sa, sa, b + bOffset + start * sb, sb, out + row * inner + first, count);
    }
  });
}

}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* out, size_t rank, const size_t* dims,
            const ptrdiff_t* aStrides, const ptrdiff_t* bStrides) {
  switch (op) {
    case BinaryOp::Add: return broadcast([](float x, float y) { return x + y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Sub: return broadcast([](float x, float y) { return x - y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Mul: return broadcast([](float x, float y) { return x * y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Div: return broadcast([](float x, float y) { return x / y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Maximum:
      return broadcast([](float x, float y) { return x > y || x != x ? x : y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Minimum:
      return broadcast([](float x, float y) { return x < y || x != x ? x : y; }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::SquaredDifference:
      return broadcast([](float x, float y) { return (x - y) * (x - y); }, a, b, out, rank, dims, aStrides, bStrides);
    case BinaryOp::Pow: return broadcast([](float x, float y) { return std::pow(x, y); }, a, b, out, rank, dims, aStrides, bStrides);
  }
}

}  // namespace clipkit
