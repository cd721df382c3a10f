#include "unary.h"

#include <cmath>

#include "simd-loop.h"
#include "thread-pool.h"
#include "vector-math.h"

namespace clipkit {
namespace {

template <typename F>
void map(F f, const float* x, float* out, size_t n) {
  parallelFor(n, 16384, [&](size_t begin, size_t end) {
    const float* in = x + begin;
    float* o = out + begin;
    simdLoop(end - begin, [&](size_t i) { o[i] = f(in[i]); });
  });
}

}  // namespace

void unary(UnaryOp op, const float* x, float* out, size_t n) {
  switch (op) {
    case UnaryOp::Exp: return map([](float v) { return vexp(v); }, x, out, n);
    case UnaryOp::Sigmoid: return map([](float v) { return vsigmoid(v); }, x, out, n);
    case UnaryOp::Sqrt: return map([](float v) { return std::sqrt(v); }, x, out, n);
    case UnaryOp::Rsqrt: return map([](float v) { return 1.0f / std::sqrt(v); }, x, out, n);
    case UnaryOp::Square: return map([](float v) { return v * v; }, x, out, n);
    case UnaryOp::Neg: return map([](float v) { return -v; }, x, out, n);
    case UnaryOp::Erf: return map([](float v) { return verf(v); }, x, out, n);
    case UnaryOp::Tanh: return map([](float v) { return vtanh(v); }, x, out, n);
    case UnaryOp::Log: return map([](float v) { return std::log(v); }, x, out, n);
    case UnaryOp::Abs: return map([](float v) { return std::fabs(v); }, x, out, n);
    case UnaryOp::Relu: return map([](float v) { return v < 0.0f ? 0.0f : v; }, x, out, n);
    case UnaryOp::Step: return map([](float v) { return v > 0.0f ? 1.0f : (v != v ? v : 0.0f); }, x, out, n);
  }
}

}  // namespace clipkit
