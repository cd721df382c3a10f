import { assembleClip, ClipkitError, ConfigError, type ConfigProblem, DATASET, type PluginContext, parseClipConfig } from '@clipkit/core';
// The built package, as an app loads it: its plug-ins start their workers from the compiled scripts in dist.
import { type ImageTextDataConfig, imageTextPlugin, plugins, SHAPES } from '@clipkit/datasets';
import { assert, describe, expect, it } from 'vitest';

// No tower package is given: the model's sections stay loose, so only the data section is checked here.
const MODEL = { embedDim: 16, vision: { type: 'vit', imageSize: 32 }, text: { type: 'transformer', contextLength: 77, vocabSize: 100 } };

const configOf = (data: unknown) => parseClipConfig({ model: MODEL, ...(data === undefined ? {} : { data }), train: { seed: 1 } }, plugins);

function problemsOf(data: unknown): ConfigProblem[] {
  try {
    configOf(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('plugins', () => {
  it('offer one plug-in per data.type, all for the DATASET slot', () => {
    expect(plugins.map((p) => [p.slot, p.type])).toEqual([
      [DATASET, 'synthetic-shapes'],
      [DATASET, 'fashion-mnist'],
      [DATASET, 'image-text'],
      [DATASET, 'image-folder'],
    ]);
  });

  it('declare the data sections with their defaults', () => {
    expect(configOf(undefined).data).toEqual({ type: 'synthetic-shapes', imageSize: 32, seed: 0, evalSize: 1000 });
    expect(configOf({ type: 'fashion-mnist' }).data).toEqual({ type: 'fashion-mnist', path: '/usr/share/datasets/fashion-mnist', augment: null });
    expect(configOf({ type: 'image-folder', path: '/data/train', augment: {} }).data).toEqual({
      type: 'image-folder',
      path: '/data/train',
      evalPath: null,
      templates: null,
      augment: { scale: [0.9, 1], ratio: [3 / 4, 4 / 3] },
    });
    expect(configOf({ type: 'image-text', path: '/data/pairs', file: 'train.csv' }).data).toEqual({
      type: 'image-text',
      path: '/data/pairs',
      file: 'train.csv',
      imageKey: 'filepath',
      captionKey: 'title',
      separator: '\t',
      evalFile: null,
      augment: null,
    });
  });

  it('reject what the sections do not allow, naming the field and what is allowed', () => {
    expect(problemsOf({ type: 'image-text' })).toEqual([
      { path: 'data.path', message: 'is required' },
      { path: 'data.file', message: 'is required' },
    ]);
    expect(problemsOf({ type: 'synthetic-shapes', imageSize: 8, evalSize: 0 })).toEqual([
      { path: 'data.imageSize', message: 'must be >= 16', value: 8 },
      { path: 'data.evalSize', message: 'must be >= 1', value: 0 },
    ]);
    expect(problemsOf({ type: 'image-text', path: 'p', file: 'f', evalFile: 3 })).toEqual([{ path: 'data.evalFile', message: 'must be a string or null', value: 3 }]);
    expect(problemsOf({ type: 'fashion-mnist', dir: 'x' })).toEqual([{ path: 'data.dir', message: 'unknown key; allowed keys are type, path, augment' }]);
    expect(problemsOf({ type: 'fashion-mnist', augment: { scale: [1, 0.5] } })).toEqual([
      { path: 'data.augment.scale', message: 'the first scale must not exceed the second', value: [1, 0.5] },
    ]);
    expect(problemsOf({ type: 'mnist' })).toEqual([
      { path: 'data.type', message: 'must be one of "synthetic-shapes", "fashion-mnist", "image-text", "image-folder" (the types of the plug-ins given)', value: 'mnist' },
    ]);
  });

  it('give the default config synthetic shapes, drawn on a worker and disposed cleanly', async () => {
    const log: string[] = [];
    const assembly = assembleClip(configOf(undefined), plugins, { log: (m) => log.push(m) });
    const dataset = assembly.resolve(DATASET);
    try {
      for await (const { batch, next } of dataset.trainBatches({ batchSize: 8, start: { epoch: 0, batch: 5 } })) {
        expect(batch.pixelShape).toEqual([8, 3, 32, 32]);
        expect(next).toEqual({ epoch: 0, batch: 6 });
        break;
      }
      const task = dataset.zeroShot()!;
      expect([task.size, task.classNames]).toEqual([1000, SHAPES]);
      expect(log).toEqual([expect.stringContaining('synthetic-shapes: 32x32 images drawn on a worker thread')]);
    } finally {
      await assembly.dispose();
    }
  });

  it('report a missing image-text folder', () => {
    const config = configOf({ type: 'image-text', path: '/nonexistent/pairs', file: 'train.csv' });
    const context: PluginContext = { config, resolve: () => assert.fail('unused'), modelDir: undefined, log: () => undefined };
    const data = config.data as ImageTextDataConfig;
    expect(() => imageTextPlugin.create(data, context)).toThrow(ClipkitError);
    expect(() => imageTextPlugin.create(data, context)).toThrow('/nonexistent/pairs (data.path) does not exist');
  });
});
