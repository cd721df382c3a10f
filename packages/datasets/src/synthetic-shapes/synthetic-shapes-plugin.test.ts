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

  it('bounds evalSize, so 1e9 held-out images is a ConfigError rather than an evaluation that never ends (issue 16)', () => {
    const parse = (evalSize: number) =>
      parseClipConfig({ model: { embedDim: 16, vision: { type: 'vit' }, text: { type: 'transformer' } }, data: { type: 'synthetic-shapes', evalSize } }, plugins);
    expect(() => parse(1e9)).toThrow(ConfigError);
    expect(() => parse(1e9)).toThrow(/data\.evalSize: .*1000000/);
    expect((parse(1_000_000).data as SyntheticShapesDataConfig).evalSize).toBe(1_000_000);
  });
});
