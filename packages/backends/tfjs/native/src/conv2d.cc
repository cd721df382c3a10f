#include "conv2d.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "thread-pool.h"

namespace clipkit {
namespace {

// The patch matrix of a chunk of images takes at most this many floats (64 MB).
constexpr size_t kMaxColumnFloats = size_t{16} << 20;

size_t patchSize(const Conv2D& c) { return c.fh * c.fw * c.inC; }
size_t pixelsOut(const Conv2D& c) { return c.outH * c.outW; }

// Images per chunk, so that the patch matrix stays within kMaxColumnFloats.
size_t chunkImages(const Conv2D& c) {
  return std::max<size_t>(1, std::min(c.batch, kMaxColumnFloats / std::max<size_t>(1, pixelsOut(c) * patchSize(c))));
}

// Calls visit(row, column, xOffset) for every in-bounds tap of output pixel `pixel` of image `image`:
// column (kh, kw) of the patch row and the offset of input channel 0 of the tapped pixel.
template <typename Visit>
void forEachTap(const Conv2D& c, size_t image, size_t pixel, Visit visit) {
  const long oy = static_cast<long>(pixel / c.outW), ox = static_cast<long>(pixel % c.outW);
  for (size_t kh = 0; kh < c.fh; kh++) {
    const long iy = oy * static_cast<long>(c.strideH) - c.padTop + static_cast<long>(kh * c.dilationH);
    if (iy < 0 || iy >= static_cast<long>(c.inH)) continue;
    for (size_t kw = 0; kw < c.fw; kw++) {
      const long ix = ox * static_cast<long>(c.strideW) - c.padLeft + static_cast<long>(kw * c.dilationW);
      if (ix < 0 || ix >= static_cast<long>(c.inW)) continue;
      visit((kh * c.fw + kw) * c.inC, ((image * c.inH + iy) * c.inW + ix) * c.inC);
    }
  }
}

// Patch matrix [images * outH * outW, fh * fw * inC] of images [first, first + images); padding is zero.
void im2col(const Conv2D& c, const float* x, size_t first, size_t images, float* cols) {
  const size_t patch = patchSize(c);
  parallelFor(images * pixelsOut(c), 64, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      float* out = cols + row * patch;
      std::memset(out, 0, patch * sizeof(float));
      forEachTap(c, first + row / pixelsOut(c), row % pixelsOut(c),
                 [&](size_t column, size_t xOffset) { std::memcpy(out + column, x + xOffset, c.inC * sizeof(float)); });
    }
  });
}

// Adds each patch row back onto the input pixels it was taken from (the adjoint of im2col). Images are
// independent, so each thread owns whole images and no two threads add to the same pixel.
void col2im(const Conv2D& c, const float* cols, size_t first, size_t images, float* dx) {
  const size_t patch = patchSize(c);
  parallelFor(images, 1, [&](size_t begin, size_t end) {
    for (size_t local = begin; local < end; local++) {
      for (size_t pixel = 0; pixel < pixelsOut(c); pixel++) {
        const float* in = cols + (local * pixelsOut(c) + pixel) * patch;
        forEachTap(c, first + local, pixel, [&](size_t column, size_t xOffset) {
          float* target = dx + xOffset;
          for (size_t ch = 0; ch < c.inC; ch++) target[ch] += in[column + ch];
        });
      }
    }
  });
}

// A 1x1 convolution with unit strides and no padding reads x as its own patch matrix.
bool isPointwise(const Conv2D& c) {
  return c.fh == 1 && c.fw == 1 && c.strideH == 1 && c.strideW == 1 && c.padTop == 0 && c.padLeft == 0 &&
         c.inH == c.outH && c.inW == c.outW;
}

void product(const float* a, const float* b, float* out, bool transA, bool transB, size_t m, size_t n, size_t k,
             float beta) {
  const uint32_t zero = 0;
  gemm({a, b, out, transA, transB, m, n, k, 1, &zero, &zero, beta});
}

}  // namespace

void conv2d(const Conv2D& c, const float* x, const float* filter, float* y) {
  const size_t patch = patchSize(c), rowsPerImage = pixelsOut(c);
  if (isPointwise(c)) return product(x, filter, y, false, false, c.batch * rowsPerImage, c.outC, patch, 0.0f);
  const size_t chunk = chunkImages(c);
  std::vector<float> cols(chunk * rowsPerImage * patch);
  for (size_t first = 0; first < c.batch; first += chunk) {
    const size_t images = std::min(chunk, c.batch - first);
    im2col(c, x, first, images, cols.data());
    product(cols.data(), filter, y + first * rowsPerImage * c.outC, false, false, images * rowsPerImage, c.outC,
            patch, 0.0f);
  }
}

void conv2dBackpropInput(const Conv2D& c, const float* dy, const float* filter, float* dx) {
  const size_t patch = patchSize(c), rowsPerImage = pixelsOut(c);
  if (isPointwise(c)) return product(dy, filter, dx, false, true, c.batch * rowsPerImage, patch, c.outC, 0.0f);
  const size_t chunk = chunkImages(c);
  std::vector<float> cols(chunk * rowsPerImage * patch);
  std::memset(dx, 0, c.batch * c.inH * c.inW * c.inC * sizeof(float));
  for (size_t first = 0; first < c.batch; first += chunk) {
    const size_t images = std::min(chunk, c.batch - first);
    product(dy + first * rowsPerImage * c.outC, filter, cols.data(), false, true, images * rowsPerImage, patch, c.outC,
            0.0f);
    col2im(c, cols.data(), first, images, dx);
  }
}

void conv2dBackpropFilter(const Conv2D& c, const float* x, const float* dy, float* dfilter) {
  const size_t patch = patchSize(c), rowsPerImage = pixelsOut(c);
  if (c.batch == 0) {
    std::memset(dfilter, 0, patch * c.outC * sizeof(float));  // the buffer may be uninitialised
    return;
  }
  if (isPointwise(c)) return product(x, dy, dfilter, true, false, patch, c.outC, c.batch * rowsPerImage, 0.0f);
  const size_t chunk = chunkImages(c);
  std::vector<float> cols(chunk * rowsPerImage * patch);
  for (size_t first = 0; first < c.batch; first += chunk) {
    const size_t images = std::min(chunk, c.batch - first);
    im2col(c, x, first, images, cols.data());
    product(cols.data(), dy + first * rowsPerImage * c.outC, dfilter, true, false, patch, c.outC,
            images * rowsPerImage, first == 0 ? 0.0f : 1.0f);
  }
}

}  // namespace clipkit
