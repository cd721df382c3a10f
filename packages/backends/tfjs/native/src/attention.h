#pragma once

#include <cstddef>

namespace clipkit {

// Multi-head self-attention over the packed projection of torch.nn.MultiheadAttention: qkv [batch,
// tokens, 3, heads, headWidth] (q, k and v of every head side by side in each token's row, as the in-proj
// product leaves them). Each (sequence, head) is one task: its q, k and v are read in place with a row
// stride of 3 x width, so no head is ever split out or merged back by a copy.
struct Attention {
  size_t batch, tokens, heads, headWidth;
  float scale;  // 1 / sqrt(headWidth): scores = scale q k^T
};

// out [batch, tokens, heads x headWidth] = softmax(scale q k^T + mask) v per head, written in place of
// the merged heads; probs [batch, heads, tokens, tokens] = the softmax, kept for the gradient. mask
// [tokens, tokens] is added to every head's scores, or null.
void attention(const Attention& a, const float* qkv, const float* mask, float* out, float* probs);

// dqkv [batch, tokens, 3 x width] from dout [batch, tokens, width]: with P = probs and dS = P (dP - rowsum(dP P)),
// dv = P^T dout, dP = dout v^T, dq = scale dS k, dk = scale dS^T q.
void attentionGrad(const Attention& a, const float* dout, const float* qkv, const float* probs, float* dqkv);

}  // namespace clipkit
