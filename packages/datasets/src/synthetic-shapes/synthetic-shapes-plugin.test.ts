import { ConfigError, parseClipConfig } from '@clipkit/core';
import { assert, describe, expect, it } from 'vitest';
import { plugins } from '../dataset-plugins.js';
import type { SyntheticShapesDataConfig } from './synthetic-shapes-config.js';
import { syntheticShapesPlugin } from './synthetic-shapes-plugin.js';

describe('syntheticShapesPlugin', () => {
  it('requires model.vision.imageSize to equal data.imageSize', () => {
    const config = parseClipConfig(
      { model: { embedDim: 16, vision: { type: 'vit', imageSize: 64 }, text: { type: 'transformer' } }, data: { type: 'synthetic-shapes', imageSize: 32 } },
      plugins,
    );
    const create = () =>
      syntheticShapesPlugin.create(config.data as SyntheticShapesDataConfig, { config, resolve: () => assert.fail('unused'), modelDir: undefined, log: () => undefined });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow('model.vision.imageSize: must be 32');
  });
});
