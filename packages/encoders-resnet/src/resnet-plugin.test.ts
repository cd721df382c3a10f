import { initTfjs } from '@clipkit/backend-tfjs';
import { IMAGE_ENCODER, isTrainableImageEncoder, parseClipConfig, type PluginContext } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModifiedResNet } from './modified-resnet.js';
import { resnetPlugin } from './resnet-plugin.js';

const context: PluginContext = {
  resolve: () => {
    throw new Error('the ResNet plug-in resolves no other slot');
  },
  modelDir: undefined,
  log: () => undefined,
};

/** A clipkit config with rn-tiny's vision tower (heads left to their default) and the given seed. */
const configWithSeed = (seed: number) =>
  parseClipConfig({
    model: {
      embedDim: 64,
      vision: { type: 'resnet', imageSize: 64, layers: [1, 2, 1, 1], width: 16 },
      text: { type: 'transformer', vocabSize: 1000, width: 64, heads: 4, layers: 2 },
    },
    train: { seed },
  });

describe('resnetPlugin', () => {
  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('fills IMAGE_ENCODER for vision.type "resnet" on tfjs', () => {
    expect([resnetPlugin.slot, resnetPlugin.type, resnetPlugin.runtime]).toEqual([IMAGE_ENCODER, 'resnet', 'tfjs']);
  });

  it('builds the configured trainable tower, initialised from train.seed', () => {
    const before = tf.memory().numTensors;
    const [a, b, c] = [7, 7, 8].map((seed) => resnetPlugin.create(configWithSeed(seed), context));
    expect(a).toBeInstanceOf(ModifiedResNet);
    expect(isTrainableImageEncoder(a)).toBe(true);
    expect([a.imageSize, a.embedDim, (a as ModifiedResNet).attnpool.heads]).toEqual([64, 64, 8]);
    const weight = (encoder: unknown) => Array.from((encoder as ModifiedResNet).stateDict().get('attnpool.q_proj.weight')!.dataSync());
    expect(weight(a)).toEqual(weight(b));
    expect(weight(a)).not.toEqual(weight(c));
    for (const encoder of [a, b, c]) encoder.dispose();
    expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before);
  });
});
