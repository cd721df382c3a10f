#include "attention.h"

#include <vector>

#include "sgemm.h"
#include "simd-loop.h"
#include "softmax.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

// Where task i (sequence b = i / heads, head h = i % heads) finds its operands: q at qkv[q], k at
// qkv[q + width], v at qkv[q + 2 width] (row stride 3 width); its columns of a [batch, tokens, width]
// tensor at [merged] (row stride width); its [tokens, tokens] block of probs at [probs].
struct Offsets {
  size_t q, merged, probs;
};

Offsets offsets(const Attention& a, size_t i) {
  const size_t b = i / a.heads, h = i % a.heads, width = a.heads * a.headWidth;
  return {b * a.tokens * 3 * width + h * a.headWidth, b * a.tokens * width + h * a.headWidth, i * a.tokens * a.tokens};
}

// C [m, n] (row stride ldc) = alpha op(A) op(B), row-major, on the calling thread.
void product(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* A, size_t lda,
             const float* B, size_t ldb, float* C, size_t ldc) {
  sgemm({transA, transB, m, n, k, alpha, A, lda, B, ldb, 0.0f, C, ldc});
}

}  // namespace

void attention(const Attention& a, const float* qkv, const float* mask, float* out, float* probs) {
  const size_t T = a.tokens, hd = a.headWidth, width = a.heads * hd, ld = 3 * width;
  // The products are small (T x T x headWidth): whole tasks per thread, each product on one thread, as
  // the batched products of attention were (gemm.cc); the scores stay in cache from product to softmax.
  parallelFor(a.batch * a.heads, 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const Offsets o = offsets(a, i);
      float* p = probs + o.probs;
      product(false, true, T, T, hd, a.scale, qkv + o.q, ld, qkv + o.q + width, ld, p, T);  // scale q k^T
      if (mask) simdLoop(T * T, [&](size_t j) { p[j] += mask[j]; });
      for (size_t r = 0; r < T; r++) softmaxRow(p + r * T, p + r * T, T);
      product(false, false, T, hd, T, 1.0f, p, T, qkv + o.q + 2 * width, ld, out + o.merged, width);  // p v
    }
  });
}

void attentionGrad(const Attention& a, const float* dout, const float* qkv, const float* probs, float* dqkv) {
  const size_t T = a.tokens, hd = a.headWidth, width = a.heads * hd, ld = 3 * width;
  parallelFor(a.batch * a.heads, 1, [&](size_t begin, size_t end) {
    std::vector<float> ds(T * T);
    for (size_t i = begin; i < end; i++) {
      const Offsets o = offsets(a, i);
      const float* p = probs + o.probs;
      const float* dy = dout + o.merged;
      const float *q = qkv + o.q, *k = q + width, *v = q + 2 * width;
      float *dq = dqkv + o.q, *dk = dq + width, *dv = dq + 2 * width;
      product(true, false, T, hd, T, 1.0f, p, T, dy, width, dv, ld);           // dv = p^T dy
      product(false, true, T, T, hd, 1.0f, dy, width, v, ld, ds.data(), T);  // dp = dy v^T
      // The softmax's gradient, row by row: ds = p (dp - sum_j dp_j p_j).
      for (size_t r = 0; r < T; r++) {
        const float* pr = p + r * T;
        float* dr = ds.data() + r * T;
        const float dot = static_cast<float>(laneSum(T, [&](size_t j) { return dr[j] * pr[j]; }));
        simdLoop(T, [&](size_t j) { dr[j] = pr[j] * (dr[j] - dot); });
      }
      product(false, false, T, hd, T, a.scale, ds.data(), T, k, ld, dq, ld);  // dq = scale ds k
      product(true, false, T, hd, T, a.scale, ds.data(), T, q, ld, dk, ld);   // dk = scale ds^T q
    }
  });
}

}  // namespace clipkit
