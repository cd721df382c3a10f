#include "softmax.h"

#include <algorithm>

#include "simd-loop.h"
#include "thread-pool.h"
#include "vector-math.h"

namespace clipkit {

void softmaxRow(const float* x, float* out, size_t n) {
  if (n == 0) return;
  // Max and sum in 8 lanes: attention's rows are short (65 values), and a serial max and a serial
  // double sum (a 4-cycle add chain per value) took a third of its forward kernel.
  simdCall([&] {
    float lanes[8];
    for (size_t l = 0; l < 8; l++) lanes[l] = x[0];
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (size_t l = 0; l < 8; l++) lanes[l] = x[i + l] > lanes[l] ? x[i + l] : lanes[l];
    float max = lanes[0];
    for (size_t l = 1; l < 8; l++) max = lanes[l] > max ? lanes[l] : max;
    for (; i < n; i++) max = x[i] > max ? x[i] : max;
    for (size_t c = 0; c < n; c++) out[c] = vexp(x[c] - max);
    const float total = static_cast<float>(laneSum(n, [&](size_t c) { return out[c]; }));
    for (size_t c = 0; c < n; c++) out[c] /= total;
  });
}

void softmax(const float* x, float* out, size_t rows, size_t columns) {
  if (columns == 0) return;
  parallelFor(rows, std::max<size_t>(1, 8192 / columns), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) softmaxRow(x + r * columns, out + r * columns, columns);
  });
}

}  // namespace clipkit
