// N-API entry points of clipkit's BLAS addon. Every call is synchronous and works in place on the
// Float32Arrays of tfjs's cpu backend. Shapes come from the JS side (src/blas-addon.ts); buffer lengths
// are checked here as well, so that a wrong call throws a TypeError instead of reading out of bounds.
#include <node_api.h>

#include <malloc.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "adamw.h"
#include "attention.h"
#include "average-pool.h"
#include "batch-norm.h"
#include "bias-activation.h"
#include "binary.h"
#include "conv2d.h"
#include "gelu.h"
#include "gemm.h"
#include "layer-norm.h"
#include "reduce.h"
#include "sgemm.h"
#include "softmax.h"
#include "strided-copy.h"
#include "thread-pool.h"
#include "unary.h"

namespace {

// Bumped whenever a signature below changes; the loader refuses a build whose version differs.
constexpr int32_t kApiVersion = 8;

struct ArgumentError {
  std::string message;
};

template <typename T>
struct Span {
  T* data;
  size_t length;
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t expected, const char* function) : env_(env), function_(function) {
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
    if (argc_ < expected) fail("expects " + std::to_string(expected) + " arguments, got " + std::to_string(argc_));
  }

  template <typename T>
  Span<T> array(size_t i, napi_typedarray_type type, bool nullable = false) {
    napi_valuetype kind;
    napi_typeof(env_, argv_[i], &kind);
    if (nullable && (kind == napi_null || kind == napi_undefined)) return {nullptr, 0};
    bool isTypedArray = false;
    napi_is_typedarray(env_, argv_[i], &isTypedArray);
    if (!isTypedArray) fail("argument " + std::to_string(i) + " is not a typed array");
    napi_typedarray_type actual;
    Span<T> span;
    void* data;
    napi_value buffer;
    size_t offset;
    napi_get_typedarray_info(env_, argv_[i], &actual, &span.length, &data, &buffer, &offset);
    if (actual != type) fail("argument " + std::to_string(i) + " has the wrong element type");
    span.data = static_cast<T*>(data);
    return span;
  }

  // A Float32Array of at least minLength values (or null when nullable).
  float* floats(size_t i, size_t minLength, bool nullable = false) {
    const Span<float> span = array<float>(i, napi_float32_array, nullable);
    if (span.data && span.length < minLength) {
      fail("argument " + std::to_string(i) + " holds " + std::to_string(span.length) + " values, needs " +
           std::to_string(minLength));
    }
    return span.data;
  }

  // A Float64Array of whole numbers >= 0 (shapes and strides), as size_t.
  std::vector<size_t> sizes(size_t i) {
    const Span<double> span = array<double>(i, napi_float64_array);
    std::vector<size_t> out(span.length);
    for (size_t j = 0; j < span.length; j++) {
      if (!(span.data[j] >= 0) || span.data[j] != static_cast<double>(static_cast<size_t>(span.data[j]))) {
        fail("argument " + std::to_string(i) + " holds " + std::to_string(span.data[j]) + ", not a size");
      }
      out[j] = static_cast<size_t>(span.data[j]);
    }
    return out;
  }

  double number(size_t i) {
    double value;
    if (napi_get_value_double(env_, argv_[i], &value) != napi_ok) fail("argument " + std::to_string(i) + " is not a number");
    return value;
  }

  size_t size(size_t i) {
    const double value = number(i);
    if (!(value >= 0 && value < 9007199254740992.0) || value != static_cast<double>(static_cast<size_t>(value))) {
      fail("argument " + std::to_string(i) + " is not a size");
    }
    return static_cast<size_t>(value);
  }

  std::string text(size_t i) {
    size_t length;
    if (napi_get_value_string_utf8(env_, argv_[i], nullptr, 0, &length) != napi_ok) fail("argument " + std::to_string(i) + " is not a string");
    std::string value(length, '\0');
    napi_get_value_string_utf8(env_, argv_[i], value.data(), length + 1, &length);
    return value;
  }

  bool boolean(size_t i) {
    bool value;
    if (napi_get_value_bool(env_, argv_[i], &value) != napi_ok) fail("argument " + std::to_string(i) + " is not a boolean");
    return value;
  }

  [[noreturn]] void fail(const std::string& what) {
    throw ArgumentError{std::string("clipkit blas addon: ") + function_ + ": " + what};
  }

 private:
  napi_env env_;
  const char* function_;
  size_t argc_ = 16;
  napi_value argv_[16];
};

// Runs body, turning an ArgumentError into a JS TypeError.
template <typename Body>
napi_value guarded(napi_env env, Body body) {
  try {
    body();
  } catch (const ArgumentError& error) {
    napi_throw_type_error(env, nullptr, error.message.c_str());
  }
  return nullptr;
}

void setProperty(napi_env env, napi_value object, const char* name, napi_value value) {
  napi_set_named_property(env, object, name, value);
}

napi_value string(napi_env env, const std::string& text) {
  napi_value value;
  napi_create_string_utf8(env, text.c_str(), text.size(), &value);
  return value;
}

// info() -> { apiVersion, threads, workers, gemm, gemms }: the pool's threads and its worker threads alive,
// the name of the GEMM in use, and the keys of those this machine runs (sgemm.h).
napi_value Info(napi_env env, napi_callback_info) {
  napi_value result, value;
  napi_create_object(env, &result);
  napi_create_int32(env, kApiVersion, &value);
  setProperty(env, result, "apiVersion", value);
  napi_create_int32(env, clipkit::threads(), &value);
  setProperty(env, result, "threads", value);
  napi_create_int32(env, clipkit::workerThreads(), &value);
  setProperty(env, result, "workers", value);
  setProperty(env, result, "gemm", string(env, clipkit::sgemmName()));
  const std::vector<std::string> keys = clipkit::sgemmKeys();
  napi_create_array_with_length(env, keys.size(), &value);
  for (size_t i = 0; i < keys.size(); i++) napi_set_element(env, value, static_cast<uint32_t>(i), string(env, keys[i]));
  setProperty(env, result, "gemms", value);
  return result;
}

// setThreads(threads)
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 1, "setThreads");
    const size_t threads = args.size(0);
    if (threads < 1 || threads > 1024) args.fail("threads must be in [1, 1024], got " + std::to_string(threads));
    clipkit::setThreads(static_cast<int>(threads));
  });
}

// threadsRan() -> the number of distinct threads that ran parallel work since the previous call.
napi_value ThreadsRan(napi_env env, napi_callback_info) {
  napi_value value;
  napi_create_int32(env, clipkit::takeThreadsRan(), &value);
  return value;
}

// useGemm(key): one of info().gemms, or "builtin" (clipkit's fastest), for every product from now on.
napi_value UseGemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 1, "useGemm");
    const std::string key = args.text(0);
    if (!clipkit::useSgemm(key)) {
      std::string keys;
      for (const std::string& k : clipkit::sgemmKeys()) keys += "\"" + k + "\", ";
      args.fail("this machine has no GEMM \"" + key + "\"; it has " + keys + "and \"builtin\" (clipkit's fastest)");
    }
  });
}

// The values a row-major matrix of `rows` rows of `columns` values, `ld` apart, spans.
size_t span(size_t rows, size_t columns, size_t ld) { return rows == 0 || columns == 0 ? 0 : (rows - 1) * ld + columns; }

// sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): one product on the calling thread
// with row strides, as the addon's kernels call it (sgemm.h); for tests and benchmarks.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 13, "sgemm");
    const bool transA = args.boolean(0), transB = args.boolean(1);
    const size_t m = args.size(2), n = args.size(3), k = args.size(4);
    const size_t lda = args.size(7), ldb = args.size(9), ldc = args.size(12);
    // Stored shapes: A is m x k (k x m when transA), B is k x n (n x k when transB).
    const size_t aRows = transA ? k : m, aColumns = transA ? m : k, bRows = transB ? n : k, bColumns = transB ? k : n;
    if (lda < aColumns || ldb < bColumns || ldc < n) args.fail("a row stride is less than its matrix's row");
    clipkit::sgemm({transA, transB, m, n, k, static_cast<float>(args.number(5)), args.floats(6, span(aRows, aColumns, lda)),
                    lda, args.floats(8, span(bRows, bColumns, ldb)), ldb, static_cast<float>(args.number(10)),
                    args.floats(11, span(m, n, ldc)), ldc});
  });
}

// gemm(a, b, c, transA, transB, m, n, k, aIndex, bIndex, beta): see gemm.h; batch = aIndex.length.
napi_value Gemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 11, "gemm");
    const bool transA = args.boolean(3), transB = args.boolean(4);
    const size_t m = args.size(5), n = args.size(6), k = args.size(7);
    const Span<uint32_t> aIndex = args.array<uint32_t>(8, napi_uint32_array);
    const Span<uint32_t> bIndex = args.array<uint32_t>(9, napi_uint32_array);
    if (aIndex.length != bIndex.length) args.fail("aIndex and bIndex differ in length");
    const size_t batch = aIndex.length;
    size_t aCount = 0, bCount = 0;
    for (size_t i = 0; i < batch; i++) {
      aCount = std::max<size_t>(aCount, aIndex.data[i] + size_t{1});
      bCount = std::max<size_t>(bCount, bIndex.data[i] + size_t{1});
    }
    clipkit::gemm({args.floats(0, aCount * m * k), args.floats(1, bCount * k * n), args.floats(2, batch * m * n), transA,
                   transB, m, n, k, batch, aIndex.data, bIndex.data, static_cast<float>(args.number(10))});
  });
}

// The 15 sizes of a Conv2D, in the order of conv2d.h, from an Int32Array.
clipkit::Conv2D convolution(Args& args, size_t i) {
  const Span<int32_t> d = args.array<int32_t>(i, napi_int32_array);
  if (d.length != 15) args.fail("the convolution description needs 15 values");
  for (size_t j = 0; j < 13; j++) {
    if (d.data[j] < 0 || (j >= 9 && d.data[j] < 1)) args.fail("invalid convolution size at index " + std::to_string(j));
  }
  auto s = [&](size_t j) { return static_cast<size_t>(d.data[j]); };
  return {s(0), s(1), s(2), s(3), s(4), s(5), s(6), s(7), s(8), s(9), s(10), s(11), s(12), d.data[13], d.data[14]};
}

size_t inputSize(const clipkit::Conv2D& c) { return c.batch * c.inH * c.inW * c.inC; }
size_t outputSize(const clipkit::Conv2D& c) { return c.batch * c.outH * c.outW * c.outC; }
size_t filterSize(const clipkit::Conv2D& c) { return c.fh * c.fw * c.inC * c.outC; }

// conv2d(x, filter, y, sizes)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4, "conv2d");
    const clipkit::Conv2D c = convolution(args, 3);
    clipkit::conv2d(c, args.floats(0, inputSize(c)), args.floats(1, filterSize(c)), args.floats(2, outputSize(c)));
  });
}

// conv2dBackpropInput(dy, filter, dx, sizes)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4, "conv2dBackpropInput");
    const clipkit::Conv2D c = convolution(args, 3);
    clipkit::conv2dBackpropInput(c, args.floats(0, outputSize(c)), args.floats(1, filterSize(c)),
                                 args.floats(2, inputSize(c)));
  });
}

// conv2dBackpropFilter(x, dy, dfilter, sizes)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4, "conv2dBackpropFilter");
    const clipkit::Conv2D c = convolution(args, 3);
    clipkit::conv2dBackpropFilter(c, args.floats(0, inputSize(c)), args.floats(1, outputSize(c)),
                                  args.floats(2, filterSize(c)));
  });
}

// biasActivation(values, rows, columns, bias | null, activation, leakyAlpha, preluAlpha | null)
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7, "biasActivation");
    const size_t rows = args.size(1), columns = args.size(2), activation = args.size(4);
    if (activation > static_cast<size_t>(clipkit::Activation::Prelu)) args.fail("unknown activation " + std::to_string(activation));
    const Span<float> prelu = args.array<float>(6, napi_float32_array, true);
    if (prelu.data && prelu.length != 1 && prelu.length != columns) args.fail("preluAlpha needs 1 or `columns` values");
    clipkit::biasActivation(args.floats(0, rows * columns), rows, columns, args.floats(3, columns, true),
                            static_cast<clipkit::Activation>(activation), static_cast<float>(args.number(5)), prelu.data,
                            prelu.length);
  });
}

// The number of values a strided view over `dims` reaches: 1 + sum over dims of (dim - 1) x stride.
size_t reach(const std::vector<size_t>& dims, const std::vector<size_t>& strides) {
  size_t last = 0;
  for (size_t d = 0; d < dims.size(); d++) {
    if (dims[d] == 0) return 0;
    last += (dims[d] - 1) * strides[d];
  }
  return last + 1;
}

size_t product(const std::vector<size_t>& dims) {
  size_t total = 1;
  for (const size_t d : dims) total *= d;
  return total;
}

// binary(op, a, b, out, dims, aStrides, bStrides): see binary.h.
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7, "binary");
    const size_t op = args.size(0);
    if (op > static_cast<size_t>(clipkit::BinaryOp::Pow)) args.fail("unknown operation " + std::to_string(op));
    const std::vector<size_t> dims = args.sizes(4), aStrides = args.sizes(5), bStrides = args.sizes(6);
    if (dims.empty()) args.fail("needs at least one dim (a scalar is [1])");
    if (aStrides.size() != dims.size() || bStrides.size() != dims.size()) args.fail("dims and strides differ in length");
    const size_t total = product(dims);
    if (total == 0) return;
    const float* a = args.floats(1, reach(dims, aStrides));
    const float* b = args.floats(2, reach(dims, bStrides));
    std::vector<ptrdiff_t> as(aStrides.begin(), aStrides.end()), bs(bStrides.begin(), bStrides.end());
    clipkit::binary(static_cast<clipkit::BinaryOp>(op), a, b, args.floats(3, total), dims.size(), dims.data(), as.data(),
                    bs.data());
  });
}

// unary(op, x, out): out may be x.
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 3, "unary");
    const size_t op = args.size(0);
    if (op > static_cast<size_t>(clipkit::UnaryOp::Step)) args.fail("unknown operation " + std::to_string(op));
    const Span<float> x = args.array<float>(1, napi_float32_array);
    clipkit::unary(static_cast<clipkit::UnaryOp>(op), x.data, args.floats(2, x.length), x.length);
  });
}

// stridedCopy(x, out, offset, dims, strides): see strided-copy.h; the view starts at x[offset].
napi_value StridedCopy(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 5, "stridedCopy");
    const size_t offset = args.size(2);
    const std::vector<size_t> dims = args.sizes(3), strides = args.sizes(4);
    if (dims.empty()) args.fail("needs at least one dim");
    if (strides.size() != dims.size()) args.fail("dims and strides differ in length");
    const size_t total = product(dims);
    if (total == 0) return;
    const float* x = args.floats(0, offset + reach(dims, strides));
    clipkit::stridedCopy(x + offset, args.floats(1, total), dims.size(), dims.data(), strides.data());
  });
}

// reduce(op, x, out, outer, reduced, inner): see reduce.h.
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6, "reduce");
    const size_t op = args.size(0), outer = args.size(3), reduced = args.size(4), inner = args.size(5);
    if (op > static_cast<size_t>(clipkit::ReduceOp::Min)) args.fail("unknown operation " + std::to_string(op));
    if (reduced == 0) args.fail("cannot reduce over an empty axis");
    clipkit::reduce(static_cast<clipkit::ReduceOp>(op), args.floats(1, outer * reduced * inner),
                    args.floats(2, outer * inner), outer, reduced, inner);
  });
}

// softmax(x, out, rows, columns)
napi_value Softmax(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4, "softmax");
    const size_t rows = args.size(2), columns = args.size(3);
    clipkit::softmax(args.floats(0, rows * columns), args.floats(1, rows * columns), rows, columns);
  });
}

// gelu(kind, x, out): out may be x.
napi_value GeluForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 3, "gelu");
    const size_t kind = args.size(0);
    if (kind > static_cast<size_t>(clipkit::Gelu::Tanh)) args.fail("unknown GELU " + std::to_string(kind));
    const Span<float> x = args.array<float>(1, napi_float32_array);
    clipkit::gelu(static_cast<clipkit::Gelu>(kind), x.data, args.floats(2, x.length), x.length);
  });
}

// geluGrad(kind, dy, x, dx)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4, "geluGrad");
    const size_t kind = args.size(0);
    if (kind > static_cast<size_t>(clipkit::Gelu::Tanh)) args.fail("unknown GELU " + std::to_string(kind));
    const Span<float> x = args.array<float>(2, napi_float32_array);
    clipkit::geluGrad(static_cast<clipkit::Gelu>(kind), args.floats(1, x.length), x.data, args.floats(3, x.length), x.length);
  });
}

// layerNorm(x, gamma, beta, y, mean, rstd, rows, columns, eps): see layer-norm.h.
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9, "layerNorm");
    const size_t rows = args.size(6), columns = args.size(7);
    clipkit::layerNorm(args.floats(0, rows * columns), args.floats(1, columns), args.floats(2, columns),
                       args.floats(3, rows * columns), args.floats(4, rows), args.floats(5, rows), rows, columns,
                       static_cast<float>(args.number(8)));
  });
}

// layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, columns): see layer-norm.h.
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10, "layerNormGrad");
    const size_t rows = args.size(8), columns = args.size(9);
    clipkit::layerNormGrad(args.floats(0, rows * columns), args.floats(1, rows * columns), args.floats(2, columns),
                           args.floats(3, rows), args.floats(4, rows), args.floats(5, rows * columns),
                           args.floats(6, columns), args.floats(7, columns), rows, columns);
  });
}

// batchNorm(x, gamma, beta, y, mean, variance, invStd, rows, channels, eps): see batch-norm.h.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10, "batchNorm");
    const size_t rows = args.size(7), channels = args.size(8);
    clipkit::batchNorm(args.floats(0, rows * channels), args.floats(1, channels), args.floats(2, channels),
                       args.floats(3, rows * channels), args.floats(4, channels), args.floats(5, channels),
                       args.floats(6, channels), rows, channels, static_cast<float>(args.number(9)));
  });
}

// batchNormGrad(dy, x, gamma, mean, invStd, dx, dgamma, dbeta, rows, channels): see batch-norm.h.
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10, "batchNormGrad");
    const size_t rows = args.size(8), channels = args.size(9);
    clipkit::batchNormGrad(args.floats(0, rows * channels), args.floats(1, rows * channels), args.floats(2, channels),
                           args.floats(3, channels), args.floats(4, channels), args.floats(5, rows * channels),
                           args.floats(6, channels), args.floats(7, channels), rows, channels);
  });
}

// adamW(param, m, v, grad, paramOut, mOut, vOut, beta1, beta2, eps, decay, stepSize, sqrtCorrection2): see adamw.h.
napi_value AdamW(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 13, "adamW");
    const size_t n = args.array<float>(0, napi_float32_array).length;
    const float* param = args.floats(0, n);
    const clipkit::AdamWStep step{args.number(7), args.number(8), args.number(9), args.number(10), args.number(11), args.number(12)};
    clipkit::adamW(param, args.floats(1, n), args.floats(2, n), args.floats(3, n), args.floats(4, n), args.floats(5, n),
                   args.floats(6, n), n, step);
  });
}

// The pooling description from averagePool(x, y, batch, height, width, channels, size) at argument i.
clipkit::AveragePool pooling(Args& args, size_t i) {
  const clipkit::AveragePool p{args.size(i), args.size(i + 1), args.size(i + 2), args.size(i + 3), args.size(i + 4)};
  if (p.size == 0) args.fail("the pooling size must be >= 1");
  return p;
}

// averagePool(x, y, batch, height, width, channels, size): see average-pool.h.
napi_value AveragePoolForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7, "averagePool");
    const clipkit::AveragePool p = pooling(args, 2);
    clipkit::averagePool(p, args.floats(0, p.batch * p.height * p.width * p.channels),
                         args.floats(1, p.batch * p.outHeight() * p.outWidth() * p.channels));
  });
}

// averagePoolGrad(dy, dx, batch, height, width, channels, size): see average-pool.h.
napi_value AveragePoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7, "averagePoolGrad");
    const clipkit::AveragePool p = pooling(args, 2);
    clipkit::averagePoolGrad(p, args.floats(0, p.batch * p.outHeight() * p.outWidth() * p.channels),
                             args.floats(1, p.batch * p.height * p.width * p.channels));
  });
}

// The attention description from attention(qkv, ..., batch, tokens, heads, headWidth, scale) at argument i.
clipkit::Attention attentionShape(Args& args, size_t i) {
  const clipkit::Attention a{args.size(i), args.size(i + 1), args.size(i + 2), args.size(i + 3),
                             static_cast<float>(args.number(i + 4))};
  if (a.tokens * a.tokens * a.batch * a.heads == 0 || a.headWidth == 0) args.fail("every attention size must be >= 1");
  return a;
}

// attention(qkv, mask | null, out, probs, batch, tokens, heads, headWidth, scale): see attention.h.
napi_value AttentionForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9, "attention");
    const clipkit::Attention a = attentionShape(args, 4);
    const size_t rows = a.batch * a.tokens, width = a.heads * a.headWidth;
    clipkit::attention(a, args.floats(0, rows * 3 * width), args.floats(1, a.tokens * a.tokens, true),
                       args.floats(2, rows * width), args.floats(3, a.batch * a.heads * a.tokens * a.tokens));
  });
}

// attentionGrad(dout, qkv, probs, dqkv, batch, tokens, heads, headWidth, scale): see attention.h.
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9, "attentionGrad");
    const clipkit::Attention a = attentionShape(args, 4);
    const size_t rows = a.batch * a.tokens, width = a.heads * a.headWidth;
    clipkit::attentionGrad(a, args.floats(0, rows * width), args.floats(1, rows * 3 * width),
                           args.floats(2, a.batch * a.heads * a.tokens * a.tokens), args.floats(3, rows * 3 * width));
  });
}

napi_value Init(napi_env env, napi_value exports) {
  // Tensors of tens of MB are allocated and freed hundreds of times a training step. glibc serves blocks
  // over 32 MB (and, until its threshold adapts, over 128 KB) with fresh mmaps, so every tensor paid a
  // page fault per 4 KB on first write: 3 of 14.6 CPU-seconds of a step at batch 128 went to the kernel.
  // Serving them from the heap and keeping freed memory lets the next step reuse it (the process keeps
  // its high-water mark instead of returning memory between tensors).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  mallopt(M_TOP_PAD, 64 << 20);
  const napi_property_descriptor functions[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"threadsRan", nullptr, ThreadsRan, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"useGemm", nullptr, UseGemm, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"stridedCopy", nullptr, StridedCopy, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"gelu", nullptr, GeluForward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"attention", nullptr, AttentionForward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"adamW", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"averagePool", nullptr, AveragePoolForward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"averagePoolGrad", nullptr, AveragePoolGrad, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
