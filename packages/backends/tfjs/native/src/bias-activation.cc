#include "bias-activation.h"

#include <algorithm>
#include <cmath>

#include "thread-pool.h"
#include "vector-math.h"

namespace clipkit {
namespace {

float activate(float x, Activation activation, float leakyAlpha, float preluAlpha) {
  switch (activation) {
    case Activation::Linear: return x;
    case Activation::Relu: return x > 0.0f ? x : 0.0f;
    case Activation::Relu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Activation::LeakyRelu: return x < 0.0f ? leakyAlpha * x : x;
    case Activation::Sigmoid: return vsigmoid(x);
    case Activation::Elu: return x >= 0.0f ? x : std::expm1(x);
    case Activation::Prelu: return x < 0.0f ? preluAlpha * x : x;
  }
  return x;
}

}  // namespace

void biasActivation(float* values, size_t rows, size_t columns, const float* bias, Activation activation,
                    float leakyAlpha, const float* preluAlpha, size_t preluAlphaSize) {
  parallelFor(rows, std::max<size_t>(1, 16384 / std::max<size_t>(1, columns)), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      float* row = values + r * columns;
      for (size_t col = 0; col < columns; col++) {
        const float alpha = preluAlpha ? preluAlpha[preluAlphaSize == 1 ? 0 : col] : 0.0f;
        row[col] = activate(bias ? row[col] + bias[col] : row[col], activation, leakyAlpha, alpha);
      }
    }
  });
}

}  // namespace clipkit
