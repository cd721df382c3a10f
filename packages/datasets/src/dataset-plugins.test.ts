import { ClipkitError, parseClipConfig, type PluginContext } from '@clipkit/core';
// The built package, as an app loads it: its plug-ins start their workers from the compiled scripts in dist.
import { datasetPlugins, SHAPES } from '@clipkit/datasets';
import { describe, expect, it } from 'vitest';

function config(data: unknown, imageSize = 32) {
  return parseClipConfig({
    model: { embedDim: 16, vision: { type: 'vit', imageSize, patchSize: 4, width: 32, layers: 1 }, text: { type: 'transformer', vocabSize: 100, width: 32, heads: 2, layers: 1 } },
    data,
    train: { seed: 1 },
  });
}

describe('datasetPlugins', () => {
  it('provide one plug-in per data.type', () => {
    expect(datasetPlugins.map((p) => p.type)).toEqual(['synthetic-shapes', 'fashion-mnist', 'image-text']);
  });

  it('give the default config synthetic shapes, drawn on a worker and disposed cleanly', async () => {
    const log: string[] = [];
    const context: PluginContext = {
      resolve: () => {
        throw new Error('unused');
      },
      modelDir: undefined,
      log: (m) => log.push(m),
    };
    const plugin = datasetPlugins.find((p) => p.type === 'synthetic-shapes')!;
    const dataset = plugin.create(config(undefined), context);
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
      await dataset.dispose();
    }
  });

  it('report a missing image-text folder', () => {
    const context: PluginContext = {
      resolve: () => {
        throw new Error('unused');
      },
      modelDir: undefined,
      log: () => undefined,
    };
    const plugin = datasetPlugins.find((p) => p.type === 'image-text')!;
    expect(() => plugin.create(config({ type: 'image-text', path: '/nonexistent/pairs', file: 'train.csv' }), context)).toThrow(ClipkitError);
    expect(() => plugin.create(config({ type: 'image-text', path: '/nonexistent/pairs', file: 'train.csv' }), context)).toThrow('/nonexistent/pairs (data.path) does not exist');
  });
});
