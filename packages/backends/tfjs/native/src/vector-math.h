#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace clipkit {

// Branch-free float exp (Cephes expf: exp(x) = 2^n exp(r), |r| <= ln2/2, exp(r) by a degree-6
// polynomial; within 1e-7 relative of the exact value on [-87, 88]), written so that loops calling
// it vectorise: glibc's expf is a call per value, 4 ns each, which made Sigmoid compute-bound.
inline float vexp(float x) {
  // Below -87.3 the result is under FLT_MIN (returned as FLT_MIN-ish, not as a denormal); from 88.73 on it overflows.
  const float c = x < -87.33654f ? -87.33654f : (x > 88.7f ? 88.7f : x);
  // n = round(c / ln 2): adding and subtracting 1.5 x 2^23 rounds to an integer without a branch.
  const float fn = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // r = c - n ln2, with ln 2 split in two so that n ln2 is exact enough.
  const float r = (c - fn * 0.693359375f) + fn * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // 2^n by writing the exponent field; n = 128 (c near 88.7) is 2^127 x 2.
  const float twice = fn > 127.5f ? 2.0f : 1.0f;
  const int32_t bits = (static_cast<int32_t>(fn) - (fn > 127.5f ? 1 : 0) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  const float y = p * scale * twice;
  return x > 88.72284f ? HUGE_VALF : (x != x ? x : y);
}

inline float vsigmoid(float x) { return 1.0f / (1.0f + vexp(-x)); }

// Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), the formula of tfjs's cpu Erf kernel.
inline float verf(float x) {
  const float a = x < 0.0f ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  const float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float y = 1.0f - poly * vexp(-a * a);
  return x < 0.0f ? -y : y;
}

// 1 - 2 / (e^{2x} + 1): exact at the saturated ends; absolute error ~1e-7 near 0.
inline float vtanh(float x) { return 1.0f - 2.0f / (vexp(2.0f * x) + 1.0f); }

}  // namespace clipkit
