import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfjsBackendPlugin } from '@clipkit/backend-tfjs';
import { assembleClip, type ClipPlugin, IMAGE_ENCODER, LOSS, readClipConfig, TEXT_ENCODER, type Module, BACKEND } from '@clipkit/core';
import { resnetPlugin } from '@clipkit/encoders-resnet';
import { vitPlugin } from '@clipkit/encoders-vit';
import { lossPlugins } from '@clipkit/losses';
import { textTransformerPlugin } from '@clipkit/text-transformer';
import { describe, expect, it } from 'vitest';

const configsDir = fileURLToPath(new URL('../configs', import.meta.url));
const configFiles = readdirSync(configsDir).filter((f) => f.endsWith('.json'));
const plugins: ClipPlugin[] = [tfjsBackendPlugin, vitPlugin, resnetPlugin, textTransformerPlugin, ...lossPlugins];

function trainableParameters(...modules: Module[]): number {
  return modules
    .flatMap((m) => [...m.stateDict().values()])
    .filter((v) => v.trainable)
    .reduce((n, v) => n + v.size, 0);
}

describe('configs/', () => {
  it('holds the six configs the issues name', () => {
    expect(configFiles.sort()).toEqual([
      'fashion-mnist-resnet-clip.json',
      'fashion-mnist-vit-clip.json',
      'fashion-mnist-vit-siglip.json',
      'shapes-resnet-clip.json',
      'shapes-vit-clip.json',
      'shapes-vit-siglip.json',
    ]);
  });

  it.each(configFiles)('%s is a valid config', (file) => {
    expect(() => readClipConfig(join(configsDir, file))).not.toThrow();
  });

  // The recipe (/work/shared/recipes/fashion-mnist.md) counts the parameters of OpenAI's CLIP class for
  // these shapes: an independent check that the configs build the same models.
  it.each([
    ['fashion-mnist-vit-clip.json', 11_937_537],
    ['fashion-mnist-resnet-clip.json', 12_431_921],
  ])('%s builds the recipe model (%i parameters, logit_scale included)', async (file, expected) => {
    const assembly = assembleClip(readClipConfig(join(configsDir, file)), plugins, { log: () => undefined });
    await assembly.resolve(BACKEND).init();
    try {
      const count = trainableParameters(assembly.resolve(IMAGE_ENCODER) as unknown as Module, assembly.resolve(TEXT_ENCODER) as unknown as Module, assembly.resolve(LOSS));
      expect(count).toBe(expected);
    } finally {
      await assembly.dispose();
    }
  });
});
