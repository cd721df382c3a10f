#include "average-pool.h"

#include <algorithm>

#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {

void averagePool(const AveragePool& p, const float* x, float* y) {
  const size_t h = p.outHeight(), w = p.outWidth(), C = p.channels, k = p.size;
  if (p.batch * h * w * C == 0) return;
  const float count = static_cast<float>(k * k);
  // One task per output row: it reads size input rows and writes one output row.
  parallelFor(p.batch * h, std::max<size_t>(1, 16384 / (p.width * C * k)), [&](size_t begin, size_t end) {
    simdCall([&] {
      for (size_t row = begin; row < end; row++) {
        const size_t n = row / h, i = row % h;
        const float* __restrict in = x + (n * p.height + i * k) * p.width * C;
        float* __restrict out = y + row * w * C;
        for (size_t j = 0; j < w; j++) {
          float* __restrict o = out + j * C;
          std::fill(o, o + C, 0.0f);
          for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++) {
              const float* __restrict v = in + (a * p.width + j * k + b) * C;
              for (size_t c = 0; c < C; c++) o[c] += v[c];
            }
          for (size_t c = 0; c < C; c++) o[c] /= count;
        }
      }
    });
  });
}

void averagePoolGrad(const AveragePool& p, const float* dy, float* dx) {
  const size_t h = p.outHeight(), w = p.outWidth(), C = p.channels, k = p.size;
  if (p.batch * p.height * p.width * C == 0) return;
  const float count = static_cast<float>(k * k);
  // One task per input row; rows below the last whole window get 0, as do columns right of it.
  parallelFor(p.batch * p.height, std::max<size_t>(1, 16384 / (p.width * C)), [&](size_t begin, size_t end) {
    simdCall([&] {
      for (size_t row = begin; row < end; row++) {
        const size_t n = row / p.height, r = row % p.height;
        float* __restrict out = dx + row * p.width * C;
        if (r >= h * k) {
          std::fill(out, out + p.width * C, 0.0f);
          continue;
        }
        const float* __restrict g = dy + (n * h + r / k) * w * C;
        for (size_t j = 0; j < w; j++)
          for (size_t b = 0; b < k; b++) {
            float* __restrict o = out + (j * k + b) * C;
            for (size_t c = 0; c < C; c++) o[c] = g[j * C + c] / count;
          }
        std::fill(out + w * k * C, out + p.width * C, 0.0f);
      }
    });
  });
}

}  // namespace clipkit
