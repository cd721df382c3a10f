#pragma once

#include <cstddef>

namespace clipkit {

// BatchNorm with the batch's statistics (training mode) over x [rows, channels], channels last (an NHWC
// activation as [N*H*W, C]): per channel the mean and the biased variance, invStd = 1 / sqrt(variance +
// eps), and y = (x - mean) invStd gamma + beta. Three passes over x (the mean, the variance about it, y)
// where tfjs's composed ops make about fourteen.
void batchNorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
               float* invStd, size_t rows, size_t channels, float eps);

// The gradients of batchNorm from its mean and invStd (Ioffe & Szegedy 2015, sec. 3): dbeta = sum dy,
// dgamma = sum dy xhat, dx = gamma invStd (dy - dbeta / rows - xhat dgamma / rows), xhat = (x - mean) invStd.
// Two passes over dy and x.
void batchNormGrad(const float* dy, const float* x, const float* gamma, const float* mean, const float* invStd,
                   float* dx, float* dgamma, float* dbeta, size_t rows, size_t channels);

}  // namespace clipkit
