import { initTfjs } from '@clipkit/backend-tfjs';
import { ConfigError, type ConfigProblem, type PluginContext, parseClipConfig, TRAINABLE_IMAGE_ENCODER } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModifiedResNet } from './modified-resnet.js';
import { plugins, resnetPlugin } from './resnet-plugin.js';
import type { ResNetConfig } from './resnet-schema.js';

// The text section stays unchecked without its plug-in: only the vision section is under test here.
const model = (vision: object) => ({ embedDim: 64, vision: { type: 'resnet', ...vision }, text: { type: 'transformer' } });

/** A clipkit config with rn-tiny's vision tower (heads left to their default) and the given seed. */
const configWithSeed = (seed: number) => parseClipConfig({ model: model({ imageSize: 64, layers: [1, 2, 1, 1], width: 16 }), train: { seed } }, plugins);

function problemsOf(vision: object): ConfigProblem[] {
  try {
    parseClipConfig({ model: model(vision) }, plugins);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('resnetSchema', () => {
  it("fills RN50's defaults and the attention pool's heads from the width", () => {
    expect(parseClipConfig({ model: model({}) }, plugins).model.vision).toEqual({ type: 'resnet', imageSize: 224, layers: [3, 4, 6, 3], width: 64, heads: 32 });
    expect(configWithSeed(0).model.vision).toEqual({ type: 'resnet', imageSize: 64, layers: [1, 2, 1, 1], width: 16, heads: 8 });
  });

  it.each([
    [
      'an image size that is not a multiple of 32',
      { imageSize: 100 },
      { path: 'model.vision.imageSize', message: 'must be a multiple of 32 (the ResNet downsamples 32x)', value: 100 },
    ],
    [
      'heads that do not divide the pool width',
      { width: 16, heads: 7 },
      { path: 'model.vision.heads', message: 'must divide the attention pool width (width x 32 = 512)', value: 7 },
    ],
    ['a wrong number of stages', { layers: [1, 1, 1] }, { path: 'model.vision.layers', value: [1, 1, 1] }],
    ['a width beyond what runs', { width: 4096 }, { path: 'model.vision.width', value: 4096 }],
  ])('rejects %s, naming the field and the value', (_name, vision, expected) => {
    expect(problemsOf(vision)).toEqual([expect.objectContaining(expected)]);
  });
});

describe('resnetPlugin', () => {
  const context = {
    resolve: () => {
      throw new Error('the ResNet plug-in resolves no other slot');
    },
    modelDir: undefined,
    log: () => undefined,
  } satisfies Omit<PluginContext, 'config'>;

  beforeAll(async () => {
    await initTfjs({ device: 'wasm', log: () => undefined });
  });

  it('fills TRAINABLE_IMAGE_ENCODER for vision.type "resnet"', () => {
    expect([resnetPlugin.slot, resnetPlugin.type]).toEqual([TRAINABLE_IMAGE_ENCODER, 'resnet']);
  });

  it('builds the configured trainable tower, initialised from train.seed', () => {
    const before = tf.memory().numTensors;
    const [a, b, c] = [7, 7, 8].map((seed) => {
      const config = configWithSeed(seed);
      return resnetPlugin.create(config.model.vision as ResNetConfig, { ...context, config });
    });
    expect(a).toBeInstanceOf(ModifiedResNet);
    expect([a.imageSize, a.embedDim, (a as ModifiedResNet).attnpool.heads]).toEqual([64, 64, 8]);
    const weight = (encoder: unknown) => Array.from((encoder as ModifiedResNet).stateDict().get('attnpool.q_proj.weight')!.dataSync());
    expect(weight(a)).toEqual(weight(b));
    expect(weight(a)).not.toEqual(weight(c));
    for (const encoder of [a, b, c]) encoder.dispose();
    expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before);
  });
});
