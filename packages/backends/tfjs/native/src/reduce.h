#pragma once

#include <cstddef>

namespace clipkit {

// Reductions of tfjs, numbered as the JS side sends them.
enum class ReduceOp { Sum = 0, Mean = 1, Max = 2, Min = 3 };

// x viewed as [outer, reduced, inner]; out[o, i] = op over j of x[o, j, i]. The JS side collapses
// tfjs's axes to this form (one contiguous block of reduced dims). Sums accumulate in double, as tfjs's
// cpu kernels do in JavaScript numbers. reduced >= 1.
void reduce(ReduceOp op, const float* x, float* out, size_t outer, size_t reduced, size_t inner);

}  // namespace clipkit
