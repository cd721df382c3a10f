#pragma once

#include <cstddef>

namespace clipkit {

// The scalars of one AdamW step (@clipkit/core's AdamWStep), as JavaScript numbers.
struct AdamWStep {
  double beta1, beta2, eps;
  double decay;            // 1 - lr * weightDecay for a decayed parameter, 1 for the others
  double stepSize;         // lr / (1 - beta1^t)
  double sqrtCorrection2;  // sqrt(1 - beta2^t)
};

// One AdamW update of n values in one pass, in the order of torch.optim.AdamW's single-tensor step:
//   mOut = beta1 m + (1 - beta1) g;  vOut = beta2 v + (1 - beta2) g^2
//   paramOut = decay param - stepSize mOut / (sqrt(vOut) / sqrtCorrection2 + eps)
// where the composed tfjs formulation makes ten passes, each allocating its result.
void adamW(const float* param, const float* m, const float* v, const float* grad, float* paramOut, float* mOut,
           float* vOut, size_t n, const AdamWStep& step);

}  // namespace clipkit
