import { type TowerSize, transformerSize } from '@clipkit/core';
import type { SiglipTextConfig } from './siglip-text-schema.js';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';

/**
 * SigLIP's vision tower from its section: floor(S / p)^2 patches (no class token) through the blocks, plus the
 * patch convolution, position embeddings, the post LayerNorm and the attention pooling head (a probe, an
 * attention of 4 w^2 and an MLP of 2 w m).
 */
export function siglipVisionSize(v: SiglipVisionConfig): TowerSize {
  const tokens = Math.floor(v.imageSize / v.patchSize) ** 2;
  const head = 4 * v.width * v.width + 2 * v.width * v.mlpWidth + 9 * v.width + v.mlpWidth;
  const otherParameters = (3 * v.patchSize ** 2 + 1 + tokens + 2) * v.width + head;
  return transformerSize({ tokens, width: v.width, heads: v.heads, mlpWidth: v.mlpWidth, layers: v.layers, otherParameters });
}

/** SigLIP's text tower from its section: contextLength tokens through the blocks, plus the embeddings, the final LayerNorm and the head (w^2 + w). */
export function siglipTextSize(t: SiglipTextConfig): TowerSize {
  const otherParameters = (t.vocabSize + t.contextLength + 3) * t.width + t.width * t.width;
  return transformerSize({ tokens: t.contextLength, width: t.width, heads: t.heads, mlpWidth: t.mlpWidth, layers: t.layers, otherParameters });
}
