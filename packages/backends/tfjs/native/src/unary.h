#pragma once

#include <cstddef>

namespace clipkit {

// Elementwise unary kernels of tfjs, numbered as the JS side sends them. Step is tfjs's Step with alpha 0
// (1 where x > 0, else 0, NaN kept): the mask the gradient of ReLU multiplies by.
enum class UnaryOp { Exp = 0, Sigmoid = 1, Sqrt = 2, Rsqrt = 3, Square = 4, Neg = 5, Erf = 6, Tanh = 7, Log = 8, Abs = 9, Relu = 10, Step = 11 };

// out[i] = op(x[i]) for i < n (out may be x).
void unary(UnaryOp op, const float* x, float* out, size_t n);

}  // namespace clipkit
