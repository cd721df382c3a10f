#pragma once

#include <cstddef>

namespace clipkit {

// A 2-D convolution in tfjs's channels-last layout: x [batch, inH, inW, inC], filter [fh, fw, inC, outC],
// y [batch, outH, outW, outC]; padTop/padLeft as tfjs's computeConv2DInfo resolves 'same'/'valid'/explicit.
struct Conv2D {
  size_t batch, inH, inW, inC, outH, outW, outC, fh, fw, strideH, strideW, dilationH, dilationW;
  long padTop, padLeft;
};

// y = conv(x, filter), as im2col then one matrix product per chunk of images.
void conv2d(const Conv2D& c, const float* x, const float* filter, float* y);
// dx = the gradient of conv(x, filter) with respect to x, given dy: dy filter^T, then col2im.
void conv2dBackpropInput(const Conv2D& c, const float* dy, const float* filter, float* dx);
// dfilter = im2col(x)^T dy, summed over chunks of images.
void conv2dBackpropFilter(const Conv2D& c, const float* x, const float* dy, float* dfilter);

}  // namespace clipkit
