#pragma once

#include <cstddef>

namespace clipkit {

// Softmax of each row of x [rows, columns] (tfjs only takes it over the last axis): exp(x - max) / sum.
void softmax(const float* x, float* out, size_t rows, size_t columns);

// Softmax of one row of n values (out may be x); what softmax() runs per row, for fused kernels.
void softmaxRow(const float* x, float* out, size_t n);

}  // namespace clipkit
