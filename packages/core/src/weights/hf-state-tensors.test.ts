import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../safetensors/safetensors-file.js';
import { toHfStateTensors } from './hf-state-tensors.js';

const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

describe('toHfStateTensors', () => {
  it('turns the OpenAI-named fixture into exactly the Hugging Face fixture (names, shapes, bits)', async () => {
    const openai = await readSafetensors(`${MODELS}/vit-b-tiny-quickgelu/model.safetensors`);
    const hf = await readSafetensors(`${MODELS}/hf/vit-b-tiny-quickgelu/model.safetensors`);
    const converted = toHfStateTensors(openai);
    expect([...converted.keys()].sort()).toEqual([...hf.keys()].sort());
    for (const [name, expected] of hf) {
      const got = converted.get(name)!;
      expect(got.shape, name).toEqual(expected.shape);
      expect(Array.from(got.data as Float32Array), name).toEqual(Array.from(expected.data as Float32Array));
    }
  });

  it('refuses ResNet weights, naming the tensor and the layouts that can hold them', async () => {
    const rn = await readSafetensors(`${MODELS}/rn-tiny/model.safetensors`);
    expect(() => toHfStateTensors(rn)).toThrow(/"visual\.[a-z0-9_.]+" in the Hugging Face layout.*"open_clip" or "clipkit"/);
  });
});
