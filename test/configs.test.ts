import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyClipPlugin,
  assembleClip,
  BACKEND,
  LogitParameters,
  parseClipConfig,
  readClipConfig,
  readJsonConfig,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
  trainableParameters,
} from '@clipkit/core';
import { defaultPlugins } from 'clipkit';
import { beforeAll, describe, expect, it } from 'vitest';

const configsDir = fileURLToPath(new URL('../configs', import.meta.url));
const configFiles = readdirSync(configsDir).filter((f) => f.endsWith('.json') && f !== 'clipkit.schema.json');
let plugins: AnyClipPlugin[];

beforeAll(async () => {
  plugins = await defaultPlugins();
});

describe('configs/', () => {
  it('holds the six configs the issues name, and fine-tuning from the Fashion-MNIST ResNet', () => {
    expect(configFiles.sort()).toEqual([
      'fashion-mnist-resnet-clip.json',
      'fashion-mnist-resnet-continue.json',
      'fashion-mnist-resnet-lit.json',
      'fashion-mnist-vit-clip.json',
      'fashion-mnist-vit-siglip.json',
      'shapes-resnet-clip.json',
      'shapes-vit-clip.json',
      'shapes-vit-siglip.json',
    ]);
  });

  it.each(configFiles)('%s is a valid config (one with train.init and no model section, once the model supplies it)', (file) => {
    const json = readJsonConfig(join(configsDir, file), (j) => j as { model?: unknown; train?: { init?: string } });
    if (json.train?.init === undefined) {
      expect(() => readClipConfig(join(configsDir, file), plugins)).not.toThrow();
      return;
    }
    // The clipkit command takes the model section from train.init's model: here the checkpoint of the config it names.
    expect(json.train.init).toBe('../runs/fashion-mnist-resnet-clip/checkpoint');
    const { model } = readJsonConfig(join(configsDir, 'fashion-mnist-resnet-clip.json'), (j) => j as { model: unknown });
    expect(() => parseClipConfig({ ...json, model }, plugins, file)).not.toThrow();
  });

  // The recipe (/work/shared/recipes/fashion-mnist.md) counts the parameters of OpenAI's CLIP class for
  // these shapes: an independent check that the configs build the same models.
  it.each([
    ['fashion-mnist-vit-clip.json', 11_937_537],
    ['fashion-mnist-resnet-clip.json', 12_431_921],
  ])('%s builds the recipe model (%i parameters, logit_scale included)', async (file, expected) => {
    const config = readClipConfig(join(configsDir, file), plugins);
    const assembly = assembleClip(config, plugins, { log: () => undefined });
    await assembly.resolve(BACKEND).init();
    const logits = new LogitParameters(config.model.logitScale, config.model.logitBias);
    try {
      // What training updates: both towers and the model's logit scale.
      const parts = { image: assembly.resolve(TRAINABLE_IMAGE_ENCODER), text: assembly.resolve(TRAINABLE_TEXT_ENCODER), logits };
      expect([...trainableParameters(parts).values()].reduce((n, v) => n + v.size, 0)).toBe(expected);
    } finally {
      logits.dispose();
      await assembly.dispose();
    }
  });
});
