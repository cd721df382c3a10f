import { ClipkitError, ConfigError, type PluginContext, parseClipConfig } from '@clipkit/core';
import { assert, describe, expect, it } from 'vitest';
import { plugins } from '../dataset-plugins.js';
import type { FashionMnistDataConfig } from './fashion-mnist-config.js';
import { fashionMnistPlugin } from './fashion-mnist-plugin.js';

/** The plug-in's section and context for a model of this image size (the model's sections stay loose: no tower package). */
function setup(imageSize: number, path?: string): [FashionMnistDataConfig, PluginContext] {
  const config = parseClipConfig(
    { model: { embedDim: 16, vision: { type: 'vit', imageSize }, text: { type: 'transformer' } }, data: { type: 'fashion-mnist', ...(path ? { path } : {}) } },
    plugins,
  );
  return [config.data as FashionMnistDataConfig, { config, resolve: () => assert.fail('unused'), modelDir: undefined, log: () => undefined }];
}

describe('fashionMnistPlugin', () => {
  it('requires the model to take 32x32 images, naming model.vision.imageSize', () => {
    expect(() => fashionMnistPlugin.create(...setup(64))).toThrow(ConfigError);
    expect(() => fashionMnistPlugin.create(...setup(64))).toThrow('model.vision.imageSize: must be 32');
  });

  it('raises the install hint for a folder without the data', () => {
    expect(() => fashionMnistPlugin.create(...setup(32, '/nonexistent/fmnist'))).toThrow(ClipkitError);
    expect(() => fashionMnistPlugin.create(...setup(32, '/nonexistent/fmnist'))).toThrow('apt-get install dataset-fashion-mnist');
  });
});
