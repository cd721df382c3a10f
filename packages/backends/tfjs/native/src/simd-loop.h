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

// f() with the same dispatch, for kernels whose loop nest is more than one loop (row reductions):
// f's loops are inlined into a function compiled for AVX2 + FMA where the CPU has them.
#if defined(__x86_64__)
template <typename F>
__attribute__((target("avx2,fma"))) void callAvx2(F f) {
  f();
}
#endif

template <typename F>
void simdCall(F f) {
#if defined(__x86_64__)
  if (hasAvx2()) return callAvx2(f);
#endif
  f();
}

// Sum of f(i) for i < n in 8 independent double lanes (two AVX registers): the lanes break the add
// latency chain and vectorise without letting the compiler reassociate anything else, and doubles keep
// the sum exact enough that a row mean of large values (LayerNorm's) loses nothing to float rounding.
template <typename F>
inline __attribute__((always_inline)) double laneSum(size_t n, F f) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t l = 0; l < 8; l++) lanes[l] += f(i + l);
  double total = 0;
  for (size_t l = 0; l < 8; l++) total += lanes[l];
  for (; i < n; i++) total += f(i);
  return total;
}

}  // namespace clipkit
