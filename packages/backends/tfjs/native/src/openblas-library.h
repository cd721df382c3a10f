#pragma once

#include <string>

namespace clipkit {

// OpenBLAS, found at run time: the addon builds without its headers and loads without it, and uses it
// where it is installed (Debian's libopenblas0, pulled in by numpy, R, ...). The few functions the addon
// calls are declared here and looked up with dlsym.
struct OpenBlasLibrary {
  // cblas_sgemm with the enums of cblas.h as ints (CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112)
  // and OpenBLAS's default 32-bit integers.
  void (*sgemm)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                const float* b, int ldb, float beta, float* c, int ldc);
  // "OpenBLAS 0.3.21 Haswell": the version from openblas_get_config, the kernel family from openblas_get_corename.
  std::string name;
};

// libopenblas.so.0, else libopenblas.so, opened once and set to one thread (the addon's pool spreads the
// work); null when neither loads or lacks a function.
const OpenBlasLibrary* openBlasLibrary();

}  // namespace clipkit
