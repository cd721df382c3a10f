import { type TowerSize, transformerSize } from '@clipkit/core';
import type { TextTransformerConfig } from './text-transformer-schema.js';

/** The text transformer's size from its section: contextLength tokens through the blocks, plus the token and position embeddings, the final LayerNorm and the projection. */
export function textTransformerSize(t: TextTransformerConfig, embedDim: number): TowerSize {
  const otherParameters = (t.vocabSize + t.contextLength) * t.width + 2 * t.width + t.width * embedDim;
  return transformerSize({ tokens: t.contextLength, width: t.width, heads: t.heads, mlpWidth: t.mlpWidth, layers: t.layers, otherParameters });
}
