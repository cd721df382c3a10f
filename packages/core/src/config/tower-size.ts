/**
 * What a tower costs, estimated from its config section before anything is allocated (issue 16: a vision
 * width of 2^31 hung allocating, an image size of 1024 at patch size 8 asked for a 137 GB buffer).
 */
export interface TowerSize {
  /** Trainable parameters (float32 each). */
  readonly parameters: number;
  /** Elements of the largest tensor one sample makes in a forward pass (an attention map, heads x T x T). */
  readonly largestTensor: number;
  /** Elements of the activations one sample keeps for the backward pass, all layers together. */
  readonly activations: number;
}

/** The shape of a pre-norm transformer tower: tokens of `width`, `layers` blocks of attention and MLP. */
export interface TransformerShape {
  readonly tokens: number;
  readonly width: number;
  readonly heads: number;
  readonly mlpWidth: number;
  readonly layers: number;
  /** Parameters outside the blocks (embeddings, projections, pooling heads). */
  readonly otherParameters: number;
}

/**
 * A transformer tower's size: per block 4 w^2 + 2 w m weights (q, k, v, out; the MLP's two layers) and
 * 9 w + m biases and norms; per sample and block the attention scores and their softmax (2 h T^2) and about
 * 8 w + 2 m values per token (norms, q, k, v, attention output, the MLP's input and hidden, residuals).
 */
export function transformerSize({ tokens, width, heads, mlpWidth, layers, otherParameters }: TransformerShape): TowerSize {
  const attention = heads * tokens * tokens;
  return {
    parameters: layers * (4 * width * width + 2 * width * mlpWidth + 9 * width + mlpWidth) + otherParameters,
    largestTensor: Math.max(attention, tokens * mlpWidth, tokens * width),
    activations: layers * (2 * attention + tokens * (8 * width + 2 * mlpWidth)),
  };
}
