#pragma once

#include <cstddef>

namespace clipkit {

// out[i] = f(i) for i in [0, n): the loop every elementwise kernel runs. On x86-64 it is compiled twice,
// for the baseline (SSE2) and for AVX2 + FMA, and the second runs where the CPU has them: 8 floats per
// instruction, which is what makes the exp-based activations memory-bound instead of compute-bound.
// (Vectorising the selects in vector-math.h needs -fno-trapping-math: see binding.gyp.)
template <typename F>
inline __attribute__((always_inline)) void loopBaseline(size_t n, F f) {
  for (size_t i = 0; i < n; i++) f(i);
}

#if defined(__x86_64__)
template <typename F>
__attribute__((target("avx2,fma"))) void loopAvx2(size_t n, F f) {
  for (size_t i = 0; i < n; i++) f(i);
}

inline bool hasAvx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

template <typename F>
void simdLoop(size_t n, F f) {
#if defined(__x86_64__)
  if (hasAvx2()) return loopAvx2(n, f);
#endif
  loopBaseline(n, f);
}

}  // namespace clipkit
