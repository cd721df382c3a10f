#pragma once

#include <cstddef>
#include <cstdint>

namespace clipkit {

// C[i] = op(A[aIndex[i]]) op(B[bIndex[i]]) + beta C[i] for i < batch, every matrix row-major and packed:
// op(A) is m x k (stored k x m when transA), op(B) is k x n (stored n x k when transB), C is m x n.
// The index arrays express broadcasting: a matrix used by several products is stored once.
struct Gemm {
  const float* a;
  const float* b;
  float* c;
  bool transA;
  bool transB;
  size_t m;
  size_t n;
  size_t k;
  size_t batch;
  const uint32_t* aIndex;
  const uint32_t* bIndex;
  float beta;
};

// Spreads the products over the thread pool: whole products per thread when there are many small ones
// (attention heads), otherwise slices of rows or columns of each product. The GEMM itself (sgemm.h) runs
// one thread.
void gemm(const Gemm& g);

}  // namespace clipkit
