#pragma once

#include <cstddef>

namespace clipkit {

// The GELUs of CLIP's and SigLIP's transformers, numbered as the JS side sends them: OpenAI's QuickGELU
// x * sigmoid(1.702 x), exact GELU x * Phi(x) = x * 0.5 * (1 + erf(x / sqrt 2)) (torch.nn.GELU()), and the
// tanh approximation x * 0.5 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (transformers' gelu_pytorch_tanh).
enum class Gelu { Quick = 0, Exact = 1, Tanh = 2 };

// out[i] = gelu(x[i]) for i < n (out may be x).
void gelu(Gelu kind, const float* x, float* out, size_t n);

// dx[i] = dy[i] * gelu'(x[i]) for i < n: the gradient in one pass over x and dy, where tfjs's autodiff of
// the composed formula makes five to eight passes over tensors of the MLP's hidden size.
void geluGrad(Gelu kind, const float* dy, const float* x, float* dx, size_t n);

}  // namespace clipkit
