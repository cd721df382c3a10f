import { describe, expect, it } from 'vitest';
import { resnetSize } from './resnet-size.js';

describe('resnetSize', () => {
  it("estimates OpenAI RN50's visual parameters within 1% of 38,316,896 (RN50's 102,007,137 less its text tower and logit scale)", () => {
    const size = resnetSize({ type: 'resnet', imageSize: 224, layers: [3, 4, 6, 3], width: 64, heads: 32 }, 1024);
    expect(Math.abs(size.parameters / 38_316_896 - 1)).toBeLessThan(0.01);
    expect(size.largestTensor).toBe(64 * 112 * 112); // the stem's last convolution, 64 channels at half resolution
  });
});
