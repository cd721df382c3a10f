#include "layer-norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

constexpr size_t kGrainValues = 16384;
// dgamma and dbeta are summed per block of rows, then over the blocks in a fixed order: the result does
// not depend on how many threads ran or which blocks each took.
constexpr size_t kBlocks = 64;

// One row of layerNormGrad, adding its dgamma and dbeta terms to the block's partial sums. The
// parameters are restrict (nothing here aliases) so that the column loop vectorises.
inline __attribute__((always_inline)) void rowGrad(const float* __restrict dy, const float* __restrict x,
                                                   const float* __restrict gamma, float m, float s,
                                                   float* __restrict dx, float* __restrict dgamma,
                                                   float* __restrict dbeta, size_t columns) {
  const float count = static_cast<float>(columns);
  const float meanG = static_cast<float>(laneSum(columns, [&](size_t c) { return dy[c] * gamma[c]; })) / count;
  const float meanGX =
      static_cast<float>(laneSum(columns, [&](size_t c) { return dy[c] * gamma[c] * ((x[c] - m) * s); })) / count;
  for (size_t c = 0; c < columns; c++) {
    const float xhat = (x[c] - m) * s;
    dx[c] = s * (dy[c] * gamma[c] - meanG - xhat * meanGX);
    dgamma[c] += dy[c] * xhat;
    dbeta[c] += dy[c];
  }
}

}  // namespace

void layerNorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, size_t rows,
               size_t columns, float eps) {
  if (columns == 0) return;
  const float count = static_cast<float>(columns);
  parallelFor(rows, std::max<size_t>(1, kGrainValues / columns), [&](size_t begin, size_t end) {
    simdCall([&] {
      for (size_t r = begin; r < end; r++) {
        const float* xr = x + r * columns;
        float* yr = y + r * columns;
        const float m = static_cast<float>(laneSum(columns, [&](size_t c) { return xr[c]; })) / count;
        const float var = static_cast<float>(laneSum(columns, [&](size_t c) { return (xr[c] - m) * (xr[c] - m); })) / count;
        const float s = 1.0f / std::sqrt(var + eps);
        mean[r] = m;
        rstd[r] = s;
        for (size_t c = 0; c < columns; c++) yr[c] = (xr[c] - m) * s * gamma[c] + beta[c];
      }
    });
  });
}

void layerNormGrad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd, float* dx,
                   float* dgamma, float* dbeta, size_t rows, size_t columns) {
  if (columns == 0) return;
  const size_t blocks = std::min(rows, kBlocks);
  // Per block: dgamma partial sums, then dbeta partial sums.
  std::vector<float> partial(std::max<size_t>(1, blocks) * 2 * columns, 0.0f);
  parallelFor(blocks, 1, [&](size_t blockBegin, size_t blockEnd) {
    simdCall([&] {
      for (size_t block = blockBegin; block < blockEnd; block++) {
        float* dgammaPart = partial.data() + block * 2 * columns;
        for (size_t r = block * rows / blocks; r < (block + 1) * rows / blocks; r++) {
          rowGrad(dy + r * columns, x + r * columns, gamma, mean[r], rstd[r], dx + r * columns, dgammaPart,
                  dgammaPart + columns, columns);
        }
      }
    });
  });
  for (size_t c = 0; c < columns; c++) {
    double g = 0, b = 0;
    for (size_t block = 0; block < blocks; block++) {
      g += partial[block * 2 * columns + c];
      b += partial[block * 2 * columns + columns + c];
    }
    dgamma[c] = static_cast<float>(g);
    dbeta[c] = static_cast<float>(b);
  }
}

}  // namespace clipkit
