#include "adamw.h"

#include <cmath>

#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {

void adamW(const float* param, const float* m, const float* v, const float* grad, float* paramOut, float* mOut,
           float* vOut, size_t n, const AdamWStep& step) {
  // Each scalar computed in double and rounded to float32, as the composed formulation's scalar tensors are.
  const float b1 = static_cast<float>(step.beta1), c1 = static_cast<float>(1.0 - step.beta1);
  const float b2 = static_cast<float>(step.beta2), c2 = static_cast<float>(1.0 - step.beta2);
  const float eps = static_cast<float>(step.eps), decay = static_cast<float>(step.decay);
  const float stepSize = static_cast<float>(step.stepSize), correction2 = static_cast<float>(step.sqrtCorrection2);
  parallelFor(n, 16384, [&](size_t begin, size_t end) {
    const float* __restrict p = param + begin;
    const float* __restrict m0 = m + begin;
    const float* __restrict v0 = v + begin;
    const float* __restrict g = grad + begin;
    float* __restrict pOut = paramOut + begin;
    float* __restrict m1 = mOut + begin;
    float* __restrict v1 = vOut + begin;
    simdLoop(end - begin, [&](size_t i) {
      const float mNext = m0[i] * b1 + g[i] * c1;
      const float vNext = v0[i] * b2 + g[i] * g[i] * c2;
      m1[i] = mNext;
      v1[i] = vNext;
      pOut[i] = p[i] * decay - mNext / (std::sqrt(vNext) / correction2 + eps) * stepSize;
    });
  });
}

}  // namespace clipkit
