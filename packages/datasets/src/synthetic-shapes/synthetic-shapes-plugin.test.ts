import { ConfigError, parseClipConfig, type PluginContext } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { syntheticShapesPlugin } from './synthetic-shapes-plugin.js';

const context: PluginContext = {
  resolve: () => {
    throw new Error('unused');
  },
  modelDir: undefined,
  log: () => undefined,
};

describe('syntheticShapesPlugin', () => {
  it('requires model.vision.imageSize to equal data.imageSize', () => {
    const config = parseClipConfig({
      model: {
        embedDim: 16,
        vision: { type: 'vit', imageSize: 64, patchSize: 8, width: 32, layers: 1 },
        text: { type: 'transformer', vocabSize: 100, width: 32, heads: 2, layers: 1 },
      },
      data: { type: 'synthetic-shapes', imageSize: 32 },
    });
    expect(() => syntheticShapesPlugin.create(config, context)).toThrow(ConfigError);
    expect(() => syntheticShapesPlugin.create(config, context)).toThrow('model.vision.imageSize: must be 32');
  });
});
