#pragma once

#include <cstddef>

namespace clipkit {

// LayerNorm over the last axis of x [rows, columns], as torch.nn.LayerNorm (biased variance, eps inside
// the square root): y = (x - mean) * rstd * gamma + beta with rstd = 1 / sqrt(var + eps). Also writes each
// row's mean and rstd [rows], which the gradient reuses.
void layerNorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd, size_t rows,
               size_t columns, float eps);

// The gradient of layerNorm, from the saved mean and rstd, with x^ = (x - mean) rstd and g = dy gamma:
// dx = rstd (g - mean(g) - x^ mean(g x^)) per row, dgamma = sum over rows of dy x^, dbeta = sum of dy.
// One pass over dy and x for all three (tfjs's autodiff of the composed formula makes about twenty).
void layerNormGrad(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd, float* dx,
                   float* dgamma, float* dbeta, size_t rows, size_t columns);

}  // namespace clipkit
