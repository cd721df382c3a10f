#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace clipkit {

// C = alpha op(A) op(B) + beta C on the calling thread, every matrix row-major with its own row stride:
// op(A) is m x k (A stored k x m, row stride lda, when transA), op(B) is k x n (stored n x k when transB),
// C is m x n with row stride ldc. When beta is 0, C is only written (it may hold garbage or NaN).
struct Sgemm {
  bool transA;
  bool transB;
  size_t m;
  size_t n;
  size_t k;
  float alpha;
  const float* a;
  size_t lda;
  const float* b;
  size_t ldb;
  float beta;
  float* c;
  size_t ldc;
};

// The GEMM every product of the addon runs on: OpenBLAS's cblas_sgemm where libopenblas loads
// (openblas-library.h), else clipkit's own packed GEMM (packed-sgemm.h) in the best build this CPU runs.
void sgemm(const Sgemm& s);

// The GEMMs this machine can run, by key: "openblas" where it loads, then clipkit's builds from the
// fastest down ("avx2" where the CPU has AVX2 + FMA, and "sse2", x86-64's baseline).
std::vector<std::string> sgemmKeys();

// Picks the GEMM by key, or "builtin" for the fastest of clipkit's own; returns false (and keeps the
// current one) for a key this machine cannot run. Not to be called while a product runs (the addon's
// calls are synchronous, so none does between them).
bool useSgemm(const std::string& key);

// "OpenBLAS 0.3.21 Haswell", "clipkit sgemm AVX2", ...: the GEMM in use.
std::string sgemmName();

}  // namespace clipkit
