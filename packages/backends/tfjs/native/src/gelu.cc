#include "gelu.h"

#include "simd-loop.h"
#include "thread-pool.h"
#include "vector-math.h"

namespace clipkit {
namespace {

constexpr size_t kGrain = 16384;
constexpr float kQuick = 1.702f;
constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
constexpr float kSqrt2OverPi = 0.79788456080286536f;
constexpr float kTanhCubic = 0.044715f;

template <typename F>
void map(F f, const float* x, float* out, size_t n) {
  parallelFor(n, kGrain, [&](size_t begin, size_t end) {
    const float* in = x + begin;
    float* o = out + begin;
    simdLoop(end - begin, [&](size_t i) { o[i] = f(in[i]); });
  });
}

template <typename F>
void mapGrad(F f, const float* dy, const float* x, float* dx, size_t n) {
  parallelFor(n, kGrain, [&](size_t begin, size_t end) {
    const float* g = dy + begin;
    const float* in = x + begin;
    float* o = dx + begin;
    simdLoop(end - begin, [&](size_t i) { o[i] = g[i] * f(in[i]); });
  });
}

}  // namespace

void gelu(Gelu kind, const float* x, float* out, size_t n) {
  switch (kind) {
    case Gelu::Quick: return map([](float v) { return v * vsigmoid(kQuick * v); }, x, out, n);
    case Gelu::Exact: return map([](float v) { return 0.5f * v * (1.0f + verf(v * kSqrtHalf)); }, x, out, n);
    case Gelu::Tanh:
      return map([](float v) { return 0.5f * v * (1.0f + vtanh(kSqrt2OverPi * (v + kTanhCubic * v * v * v))); }, x, out, n);
  }
}

void geluGrad(Gelu kind, const float* dy, const float* x, float* dx, size_t n) {
  switch (kind) {
    // d/dx [x s(ax)] = s + a x s (1 - s), s = sigmoid(a x)
    case Gelu::Quick:
      return mapGrad(
          [](float v) {
            const float s = vsigmoid(kQuick * v);
            return s + kQuick * v * s * (1.0f - s);
          },
          dy, x, dx, n);
    // d/dx [x Phi(x)] = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
    case Gelu::Exact:
      return mapGrad([](float v) { return 0.5f * (1.0f + verf(v * kSqrtHalf)) + v * kInvSqrt2Pi * vexp(-0.5f * v * v); },
                     dy, x, dx, n);
    // d/dx [x/2 (1 + t)] = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3 a x^2), t = tanh(c (x + a x^3))
    case Gelu::Tanh:
      return mapGrad(
          [](float v) {
            const float t = vtanh(kSqrt2OverPi * (v + kTanhCubic * v * v * v));
            return 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kTanhCubic * v * v);
          },
          dy, x, dx, n);
  }
}

}  // namespace clipkit
