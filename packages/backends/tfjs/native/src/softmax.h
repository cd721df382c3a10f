#pragma once

#include <cstddef>

namespace clipkit {

// Softmax of each row of x [rows, columns] (tfjs only takes it over the last axis): exp(x - max) / sum.
void softmax(const float* x, float* out, size_t rows, size_t columns);

}  // namespace clipkit
