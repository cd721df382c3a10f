#pragma once

#include <cstddef>

namespace clipkit {

// Elementwise binary kernels of tfjs, numbered as the JS side sends them.
enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, Maximum = 4, Minimum = 5, SquaredDifference = 6, Pow = 7 };

// out = a op b over a broadcast shape already collapsed by the JS side to `rank` dims: dims[d] is the
// output size of dim d; aStrides[d] and bStrides[d] step each operand (0 where it is broadcast).
void binary(BinaryOp op, const float* a, const float* b, float* out, size_t rank, const size_t* dims,
            const ptrdiff_t* aStrides, const ptrdiff_t* bStrides);

}  // namespace clipkit
