import { type TowerSize, transformerSize } from '@clipkit/core';
import type { VitConfig } from './vit-schema.js';

/**
 * The ViT's size from its section: (S / p)^2 patches and a class token through the blocks, plus the patch
 * convolution (3 p^2 w), the class and position embeddings, two LayerNorms and the projection to embedDim.
 */
export function vitSize(v: VitConfig, embedDim: number): TowerSize {
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  const otherParameters = 3 * v.patchSize ** 2 * v.width + (tokens + 1) * v.width + 4 * v.width + v.width * embedDim;
  return transformerSize({ tokens, width: v.width, heads: v.heads, mlpWidth: v.mlpWidth, layers: v.layers, otherParameters });
}
