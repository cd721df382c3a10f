#pragma once

#include <cstddef>

namespace clipkit {

// The activations of tfjs's fused kernels (backend_util.Activation), numbered as the JS side sends them.
enum class Activation { Linear = 0, Relu = 1, Relu6 = 2, LeakyRelu = 3, Sigmoid = 4, Elu = 5, Prelu = 6 };

// In place on rows x columns values: x = act(x + bias[col]). bias (per column) and preluAlpha (per column,
// or one value when preluAlphaSize is 1) may be null.
void biasActivation(float* values, size_t rows, size_t columns, const float* bias, Activation activation,
                    float leakyAlpha, const float* preluAlpha, size_t preluAlphaSize);

}  // namespace clipkit
