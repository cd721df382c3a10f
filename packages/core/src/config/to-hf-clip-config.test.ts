import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './parse-clip-config.js';
import { toHfClipConfig } from './to-hf-clip-config.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;
const hfFixture = () => JSON.parse(readFileSync(`${MODELS}/hf/vit-b-tiny-quickgelu/config.json`, 'utf8')) as Record<string, unknown>;
const openClipFixture = (name: string) => JSON.parse(readFileSync(`${MODELS}/${name}/open_clip_config.json`, 'utf8')) as unknown;

describe('toHfClipConfig', () => {
  it('round-trips the Hugging Face fixture config and writes its fields back', () => {
    const model = parseModelConfig(hfFixture());
    const json = toHfClipConfig(model);
    expect(parseModelConfig(json)).toEqual(model);
    const original = hfFixture() as { text_config: Record<string, unknown>; vision_config: Record<string, unknown> };
    expect(json.text_config).toMatchObject(Object.fromEntries(Object.entries(original.text_config).filter(([k]) => !['bos_token_id', 'pad_token_id'].includes(k))));
    expect(json.vision_config).toEqual(original.vision_config);
  });

  it('writes argmax pooling as the legacy eos_token_id 2 that transformers reads as argmax', () => {
    const model = parseModelConfig(openClipFixture('vit-b-tiny-gelu'));
    expect(model.text.eosTokenId).toBeNull();
    const json = toHfClipConfig(model) as { text_config: { eos_token_id: number; hidden_act: string } };
    expect(json.text_config.eos_token_id).toBe(2);
    expect(json.text_config.hidden_act).toBe('gelu');
    expect(parseModelConfig(json)).toEqual(model);
  });

  it('refuses ResNet image towers', () => {
    expect(() => toHfClipConfig(parseModelConfig(openClipFixture('rn-tiny')))).toThrow(/model\.vision\.type.*no ResNet/);
  });
});
