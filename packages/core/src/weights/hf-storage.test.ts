import { describe, expect, it } from 'vitest';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { definePlugin } from '../di/plugin.js';
import { fakePlugins, fakeVitPlugin, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { hfStorageOf, isHfPositionIds } from './hf-storage.js';

describe('hfStorageOf', () => {
  const model = parseClipConfig({ model: TINY_MODEL }, fakePlugins).model;

  it("asks the image tower's format for `visual.*` names (without the prefix) and the text tower's for the rest", () => {
    const storage = hfStorageOf(model, fakePlugins);
    expect(storage('visual.proj')).toEqual({ kind: 'transpose', name: 'visual_projection.weight' });
    expect(storage('visual.attn.in_proj_bias')).toEqual({
      kind: 'split-qkv',
      names: ['vision_model.attn.q_proj.bias', 'vision_model.attn.k_proj.bias', 'vision_model.attn.v_proj.bias'],
    });
    expect(storage('text_projection')).toEqual({ kind: 'transpose', name: 'text_projection.weight' });
    expect(storage('proj')).toBeUndefined(); // a text name the text tower does not have
    expect(storage('logit_scale')).toEqual({ kind: 'rename', name: 'logit_scale' });
  });

  it('stores logit_bias only for models whose transformers class has one', () => {
    expect(hfStorageOf(model, fakePlugins)('logit_bias')).toBeUndefined();
    const format = fakeVitPlugin.formats!.huggingface!;
    const withBias = definePlugin({ ...fakeVitPlugin, formats: { huggingface: { ...format, hasLogitBias: true } } });
    const plugins = [withBias, ...fakePlugins.filter((p) => p !== fakeVitPlugin)];
    expect(hfStorageOf(model, plugins)('logit_bias')).toEqual({ kind: 'rename', name: 'logit_bias' });
  });

  it('recognises the position_ids buffers older transformers checkpoints hold', () => {
    expect([isHfPositionIds('text_model.embeddings.position_ids'), isHfPositionIds('text_model.embeddings.position_embedding.weight')]).toEqual([true, false]);
  });
});
