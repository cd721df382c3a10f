#include "strided-copy.h"

#include <algorithm>
#include <cstring>

#include "thread-pool.h"

namespace clipkit {
namespace {

constexpr size_t kTile = 32;

// Offset in x of row `row` of the view (the multi-index over all dims but the last).
size_t rowOffset(size_t row, size_t rank, const size_t* dims, const size_t* strides) {
  size_t offset = 0;
  for (size_t d = rank - 1; d-- > 0;) {
    offset += (row % dims[d]) * strides[d];
    row /= dims[d];
  }
  return offset;
}

// Views whose last two dims are a transpose (the second-last steps by 1 in x, the last does not). Each
// 32 x 32 tile is read along x's rows into a padded buffer, then written along the output's rows, so both
// sides are read and written a cache line at a time; going straight from one to the other walks one of
// them with a stride, and strides of 4 KB multiples (weights of width 1024) all fall in one cache set.
void tiledTranspose(const float* x, float* out, size_t rank, const size_t* dims, const size_t* strides) {
  const size_t rows = dims[rank - 2], cols = dims[rank - 1], colStride = strides[rank - 1];
  const size_t tilesPerMatrix = (rows + kTile - 1) / kTile;
  size_t matrices = 1;
  for (size_t d = 0; d + 2 < rank; d++) matrices *= dims[d];
  parallelFor(matrices * tilesPerMatrix, 1, [&](size_t begin, size_t end) {
    float tile[kTile][kTile + 1];
    for (size_t task = begin; task < end; task++) {
      const size_t matrix = task / tilesPerMatrix, r0 = (task % tilesPerMatrix) * kTile, r1 = std::min(rows, r0 + kTile);
      const float* in = x + rowOffset(matrix, rank - 1, dims, strides);  // over the leading dims
      float* o = out + matrix * rows * cols;
      for (size_t c0 = 0; c0 < cols; c0 += kTile) {
        const size_t c1 = std::min(cols, c0 + kTile);
        for (size_t c = c0; c < c1; c++)
          for (size_t r = r0; r < r1; r++) tile[c - c0][r - r0] = in[r + c * colStride];
        for (size_t r = r0; r < r1; r++)
          for (size_t c = c0; c < c1; c++) o[r * cols + c] = tile[c - c0][r - r0];
      }
    }
  });
}

}  // namespace

void stridedCopy(const float* x, float* out, size_t rank, const size_t* dims, const size_t* strides) {
  size_t total = 1;
  for (size_t d = 0; d < rank; d++) total *= dims[d];
  if (total == 0) return;
  const size_t inner = dims[rank - 1], innerStride = strides[rank - 1];
  if (innerStride != 1 && rank >= 2 && strides[rank - 2] == 1) return tiledTranspose(x, out, rank, dims, strides);
  parallelFor(total / inner, std::max<size_t>(1, 4096 / inner), [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const float* in = x + rowOffset(row, rank, dims, strides);
      float* o = out + row * inner;
      if (innerStride == 1) std::memcpy(o, in, inner * sizeof(float));
      else for (size_t i = 0; i < inner; i++) o[i] = in[i * innerStride];
    }
  });
}

}  // namespace clipkit
