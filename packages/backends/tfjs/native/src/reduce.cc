#include "reduce.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "thread-pool.h"

namespace clipkit {
namespace {

// Below this many values per thread a reduction is not split.
constexpr size_t kGrain = 32768;
// Independent accumulators over a contiguous row: they break the add latency chain and vectorise.
constexpr size_t kLanes = 8;

// The reduction as a combine function on double accumulators (exact for max/min of floats).
struct SumOp {
  static double combine(double acc, double v) { return acc + v; }
};
struct MaxOp {
  static double combine(double acc, double v) { return v > acc || v != v ? v : acc; }
};
struct MinOp {
  static double combine(double acc, double v) { return v < acc || v != v ? v : acc; }
};

// op over the n contiguous values at x.
template <typename Op>
double reduceRow(const float* x, size_t n) {
  double lanes[kLanes];
  for (size_t l = 0; l < kLanes; l++) lanes[l] = x[l < n ? l : 0];
  size_t i = std::min(n, kLanes);
  for (; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; l++) lanes[l] = Op::combine(lanes[l], x[i + l]);
  double acc = lanes[0];
  for (size_t l = 1; l < std::min(n, kLanes); l++) acc = Op::combine(acc, lanes[l]);
  for (; i < n; i++) acc = Op::combine(acc, x[i]);
  return acc;
}

// acc[i] = op over rows [j0, j1) of the [reduced, inner] slab at x, for each i < inner.
template <typename Op>
void reduceColumns(const float* x, size_t j0, size_t j1, size_t inner, double* acc) {
  for (size_t i = 0; i < inner; i++) acc[i] = x[j0 * inner + i];
  for (size_t j = j0 + 1; j < j1; j++) {
    const float* row = x + j * inner;
    for (size_t i = 0; i < inner; i++) acc[i] = Op::combine(acc[i], row[i]);
  }
}

template <typename Op>
void reduceWith(const float* x, float* out, size_t outer, size_t reduced, size_t inner, float scale) {
  const size_t slab = reduced * inner;
  if (outer >= static_cast<size_t>(threads()) || slab < kGrain) {
    // Whole outputs per thread.
    parallelFor(outer, std::max<size_t>(1, kGrain / std::max<size_t>(1, slab)), [&](size_t begin, size_t end) {
      std::vector<double> acc(inner);
      for (size_t o = begin; o < end; o++) {
        if (inner == 1) {
          out[o] = static_cast<float>(reduceRow<Op>(x + o * slab, reduced)) * scale;
          continue;
        }
        reduceColumns<Op>(x + o * slab, 0, reduced, inner, acc.data());
        for (size_t i = 0; i < inner; i++) out[o * inner + i] = static_cast<float>(acc[i]) * scale;
      }
    });
    return;
  }
  // Few, large outputs (a bias gradient: the sum over the batch): each thread takes a band of rows.
  const size_t parts = std::min<size_t>(threads(), reduced);
  std::vector<double> partial(parts * inner);
  for (size_t o = 0; o < outer; o++) {
    const float* slabStart = x + o * slab;
    parallelFor(parts, 1, [&](size_t begin, size_t end) {
      for (size_t p = begin; p < end; p++) {
        reduceColumns<Op>(slabStart, p * reduced / parts, (p + 1) * reduced / parts, inner, partial.data() + p * inner);
      }
    });
    for (size_t i = 0; i < inner; i++) {
      double acc = partial[i];
      for (size_t p = 1; p < parts; p++) acc = Op::combine(acc, partial[p * inner + i]);
      out[o * inner + i] = static_cast<float>(acc) * scale;
    }
  }
}

}  // namespace

void reduce(ReduceOp op, const float* x, float* out, size_t outer, size_t reduced, size_t inner) {
  switch (op) {
    case ReduceOp::Sum: return reduceWith<SumOp>(x, out, outer, reduced, inner, 1.0f);
    case ReduceOp::Mean: return reduceWith<SumOp>(x, out, outer, reduced, inner, 1.0f / static_cast<float>(reduced));
    case ReduceOp::Max: return reduceWith<MaxOp>(x, out, outer, reduced, inner, 1.0f);
    case ReduceOp::Min: return reduceWith<MinOp>(x, out, outer, reduced, inner, 1.0f);
  }
}

}  // namespace clipkit
