#include "batch-norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "simd-loop.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

// Per-channel sums are taken per block of rows, then over the blocks in a fixed order: the result does not
// depend on how many threads ran or which blocks each took.
constexpr size_t kBlocks = 64;

// partial[block][c] = sum over the block's rows r of term(r, c), in double; then out[c] = sum over blocks.
template <typename Term>
void channelSums(size_t rows, size_t channels, size_t sums, Term term, std::vector<double>& partial) {
  const size_t blocks = std::max<size_t>(1, std::min(rows, kBlocks));
  partial.assign(blocks * sums * channels, 0.0);
  parallelFor(blocks, 1, [&](size_t blockBegin, size_t blockEnd) {
    simdCall([&] {
      for (size_t block = blockBegin; block < blockEnd; block++) {
        double* part = partial.data() + block * sums * channels;
        for (size_t r = block * rows / blocks; r < (block + 1) * rows / blocks; r++) term(r, part);
      }
    });
  });
}

// total[s * channels + c] = sum over blocks of partial[block][s * channels + c].
void combine(const std::vector<double>& partial, size_t width, std::vector<double>& total) {
  total.assign(width, 0.0);
  for (size_t offset = 0; offset < partial.size(); offset += width)
    for (size_t i = 0; i < width; i++) total[i] += partial[offset + i];
}

}  // namespace

void batchNorm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
               float* invStd, size_t rows, size_t channels, float eps) {
  if (rows == 0 || channels == 0) return;
  std::vector<double> partial, total;
  channelSums(rows, channels, 1, [&](size_t r, double* __restrict part) {
    const float* __restrict xr = x + r * channels;
    for (size_t c = 0; c < channels; c++) part[c] += xr[c];
  }, partial);
  combine(partial, channels, total);
  std::vector<float> m(channels);
  for (size_t c = 0; c < channels; c++) mean[c] = m[c] = static_cast<float>(total[c] / static_cast<double>(rows));
  // The variance about the mean, not E[x^2] - mean^2, which cancels when the mean is large.
  channelSums(rows, channels, 1, [&, mu = m.data()](size_t r, double* __restrict part) {
    const float* __restrict xr = x + r * channels;
    for (size_t c = 0; c < channels; c++) {
      const float d = xr[c] - mu[c];
      part[c] += d * d;
    }
  }, partial);
  combine(partial, channels, total);
  std::vector<float> scale(channels), shift(channels);
  for (size_t c = 0; c < channels; c++) {
    variance[c] = static_cast<float>(total[c] / static_cast<double>(rows));
    invStd[c] = 1.0f / std::sqrt(variance[c] + eps);
    scale[c] = invStd[c] * gamma[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  const float* __restrict sc = scale.data();
  const float* __restrict sh = shift.data();
  parallelFor(rows, std::max<size_t>(1, 16384 / channels), [&](size_t begin, size_t end) {
    simdCall([&] {
      for (size_t r = begin; r < end; r++) {
        const float* __restrict xr = x + r * channels;
        float* __restrict yr = y + r * channels;
        for (size_t c = 0; c < channels; c++) yr[c] = xr[c] * sc[c] + sh[c];
      }
    });
  });
}

void batchNormGrad(const float* dy, const float* x, const float* gamma, const float* mean, const float* invStd,
                   float* dx, float* dgamma, float* dbeta, size_t rows, size_t channels) {
  if (channels == 0) return;
  if (rows == 0) {
    std::fill(dgamma, dgamma + channels, 0.0f);
    std::fill(dbeta, dbeta + channels, 0.0f);
    return;
  }
  const std::vector<float> m(mean, mean + channels);
  const float* __restrict mu = m.data();
  // Per channel: sum dy, then sum dy (x - mean).
  std::vector<double> partial, total;
  channelSums(rows, channels, 2, [&](size_t r, double* __restrict part) {
    const float* __restrict g = dy + r * channels;
    const float* __restrict xr = x + r * channels;
    for (size_t c = 0; c < channels; c++) {
      part[c] += g[c];
      part[channels + c] += g[c] * (xr[c] - mu[c]);
    }
  }, partial);
  combine(partial, 2 * channels, total);
  // dx = a dy + b (x - mean) + k per channel: a = gamma invStd, b = -a invStd dgamma / rows, k = -a dbeta / rows.
  std::vector<float> a(channels), b(channels), k(channels);
  const double count = static_cast<double>(rows);
  for (size_t c = 0; c < channels; c++) {
    dbeta[c] = static_cast<float>(total[c]);
    dgamma[c] = static_cast<float>(total[channels + c] * invStd[c]);
    a[c] = gamma[c] * invStd[c];
    b[c] = static_cast<float>(-a[c] * invStd[c] * (total[channels + c] * invStd[c]) / count);
    k[c] = static_cast<float>(-a[c] * total[c] / count);
  }
  const float* __restrict pa = a.data();
  const float* __restrict pb = b.data();
  const float* __restrict pk = k.data();
  parallelFor(rows, std::max<size_t>(1, 16384 / channels), [&](size_t begin, size_t end) {
    simdCall([&] {
      for (size_t r = begin; r < end; r++) {
        const float* __restrict g = dy + r * channels;
        const float* __restrict xr = x + r * channels;
        float* __restrict out = dx + r * channels;
        for (size_t c = 0; c < channels; c++) out[c] = pa[c] * g[c] + pb[c] * (xr[c] - mu[c]) + pk[c];
      }
    });
  });
}

}  // namespace clipkit
