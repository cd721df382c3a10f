import { SLOTS } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { defaultPlugins } from './default-plugins.js';

describe('defaultPlugins', () => {
  it("fills every slot's default type, so a config that names only the towers runs", async () => {
    const plugins = await defaultPlugins();
    for (const slot of SLOTS.filter((s) => s.defaultType !== undefined)) {
      expect(
        plugins.some((p) => p.slot === slot && p.type === slot.defaultType),
        `${slot.section}.type "${slot.defaultType}"`,
      ).toBe(true);
    }
  });

  it('offers each type once per slot and runtime (assembleClip refuses two candidates)', async () => {
    const keys = (await defaultPlugins()).map((p) => `${p.slot.name}:${p.type}:${p.runtime ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        'TRAINABLE_IMAGE_ENCODER:vit:',
        'TRAINABLE_IMAGE_ENCODER:resnet:',
        'TRAINABLE_IMAGE_ENCODER:siglip:',
        'TRAINABLE_TEXT_ENCODER:transformer:',
        'TRAINABLE_TEXT_ENCODER:siglip:',
        'TOKENIZER:siglip:',
        'LOSS:siglip:',
      ]),
    );
  });
});
