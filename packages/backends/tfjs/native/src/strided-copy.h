#pragma once

#include <cstddef>

namespace clipkit {

// out (packed, shape dims) = the view of x with strides `strides` (in values): out[i0, ..., ik] =
// x[sum_d id * strides[d]]. Transpose, Slice and Split are all such views; the JS side drops size-1
// dims and merges dims the view walks contiguously, so `rank` is small.
void stridedCopy(const float* x, float* out, size_t rank, const size_t* dims, const size_t* strides);

}  // namespace clipkit
