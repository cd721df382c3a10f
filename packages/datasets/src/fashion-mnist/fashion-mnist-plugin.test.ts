import { ClipkitError, ConfigError, parseClipConfig, type PluginContext } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { fashionMnistPlugin } from './fashion-mnist-plugin.js';

const context: PluginContext = {
  resolve: () => {
    throw new Error('unused');
  },
  modelDir: undefined,
  log: () => undefined,
};

function config(imageSize: number, path = '/usr/share/datasets/fashion-mnist') {
  return parseClipConfig({
    model: { embedDim: 16, vision: { type: 'vit', imageSize, patchSize: 4, width: 32, layers: 1 }, text: { type: 'transformer', vocabSize: 100, width: 32, heads: 2, layers: 1 } },
    data: { type: 'fashion-mnist', path },
  });
}

describe('fashionMnistPlugin', () => {
  it('requires the model to take 32x32 images, naming model.vision.imageSize', () => {
    expect(() => fashionMnistPlugin.create(config(64), context)).toThrow(ConfigError);
    expect(() => fashionMnistPlugin.create(config(64), context)).toThrow('model.vision.imageSize: must be 32');
  });

  it('raises the install hint for a folder without the data', () => {
    expect(() => fashionMnistPlugin.create(config(32, '/nonexistent/fmnist'), context)).toThrow(ClipkitError);
    expect(() => fashionMnistPlugin.create(config(32, '/nonexistent/fmnist'), context)).toThrow('apt-get install dataset-fashion-mnist');
  });
});
