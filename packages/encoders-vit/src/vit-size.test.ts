import { describe, expect, it } from 'vitest';
import { vitSize } from './vit-size.js';

describe('vitSize', () => {
  it("counts OpenAI ViT-B/32's visual parameters exactly: 87,849,216 (of CLIP's 151,277,313)", () => {
    const section = { type: 'vit', imageSize: 224, patchSize: 32, width: 768, layers: 12, heads: 12, mlpWidth: 3072, layerNormEps: 1e-5, activation: 'quick_gelu' } as const;
    const size = vitSize(section, 512);
    expect(size.parameters).toBe(87_849_216);
    expect(size.largestTensor).toBe(50 * 3072); // 7 x 7 patches and a class token through the 3072-wide MLP
  });
});
