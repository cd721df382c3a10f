#include "softmax.h"

#include <algorithm>

#include "simd-loop.h"
#include "thread-pool.h"
#include "vector-math.h"

namespace clipkit {

void softmax(const float* x, float* out, size_t rows, size_t columns) {
  if (columns == 0) return;
  parallelFor(rows, std::max<size_t>(1, 8192 / columns), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const float* in = x + r * columns;
      float* o = out + r * columns;
      const float max = *std::max_element(in, in + columns);
      simdLoop(columns, [&](size_t c) { o[c] = vexp(in[c] - max); });
      double sum = 0;
      for (size_t c = 0; c < columns; c++) sum += o[c];
      const float total = static_cast<float>(sum);
      simdLoop(columns, [&](size_t c) { o[c] /= total; });
    }
  });
}

}  // namespace clipkit
