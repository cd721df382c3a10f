import type { TowerSize } from '@clipkit/core';
import type { ResNetConfig } from './resnet-schema.js';

/**
 * The ModifiedResNet's size from its section. Parameters: the three-convolution stem, each stage's bottlenecks
 * (1x1 in, 3x3, 1x1 out to 4 planes, a downsample in the first) and the attention pool over width x 32
 * features (position embeddings and four projections). Per sample, the largest tensor is the stem's output or
 * the first stage's (width x S^2 / 4 values either way); each block keeps about 18 planes x side^2 values
 * (three convolutions, their norms and activations).
 */
export function resnetSize(r: ResNetConfig, embedDim: number): TowerSize {
  const w = r.width;
  const S = r.imageSize;
  let parameters = 27 * (w / 2) + 9 * (w / 2) ** 2 + 9 * (w / 2) * w;
  let activations = 6 * w * (S / 2) ** 2;
  let inplanes = w;
  r.layers.forEach((blocks, i) => {
    const planes = w * 2 ** i;
    const side = S / (4 * 2 ** i);
    parameters += inplanes * planes + 9 * planes ** 2 + 4 * planes ** 2 + inplanes * 4 * planes + (blocks - 1) * 17 * planes ** 2;
    activations += blocks * 18 * planes * side ** 2;
    inplanes = 4 * planes;
  });
  const features = w * 32;
  parameters += ((S / 32) ** 2 + 1) * features + 3 * features ** 2 + features * embedDim;
  return { parameters, largestTensor: (w * S * S) / 4, activations };
}
