#pragma once

#include <cstddef>

namespace clipkit {

// nn.AvgPool2d(size) as ResNet uses it: kernel = stride = size, no padding, floor mode, on channels-last
// x [batch, height, width, channels]; y [batch, height / size, width / size, channels] (rounded down).
struct AveragePool {
  size_t batch, height, width, channels, size;
  size_t outHeight() const { return height / size; }
  size_t outWidth() const { return width / size; }
};

// y = the mean of each size x size window of x, one pass over x where tfjs transposes the windows'
// values together, then reduces.
void averagePool(const AveragePool& p, const float* x, float* y);

// dx = dy / size^2 over each window, 0 on the rows and columns floor mode drops: one pass over dx where
// tfjs's gradient of the mean broadcasts, then divides.
void averagePoolGrad(const AveragePool& p, const float* dy, float* dx);

}  // namespace clipkit
