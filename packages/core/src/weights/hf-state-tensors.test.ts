import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../safetensors/dtypes.js';
import { toHfStateTensors } from './hf-state-tensors.js';
import type { HfStorageOf } from './hf-storage.js';

const f32 = (shape: number[], ...values: number[]): HostTensor => ({ dtype: 'F32', shape, data: Float32Array.from(values) });
const valuesOf = (t: HostTensor | undefined) => [t?.shape, Array.from(t?.data as Float32Array)];

const STORAGE: HfStorageOf = (name) =>
  name === 'visual.attn.in_proj_bias'
    ? { kind: 'split-qkv', names: ['vision.q.bias', 'vision.k.bias', 'vision.v.bias'] }
    : name === 'visual.attn.in_proj_weight'
      ? { kind: 'split-qkv', names: ['vision.q.weight', 'vision.k.weight', 'vision.v.weight'] }
      : name === 'text_projection'
        ? { kind: 'transpose', name: 'text_projection.weight' }
        : name === 'logit_scale'
          ? { kind: 'rename', name: 'logit_scale' }
          : undefined;

describe('toHfStateTensors', () => {
  it('renames, transposes [in, out] matrices to Linear weights, and splits packed q/k/v rows', () => {
    const converted = toHfStateTensors(
      new Map([
        ['visual.attn.in_proj_weight', f32([3, 2], 1, 2, 3, 4, 5, 6)],
        ['visual.attn.in_proj_bias', f32([3], 7, 8, 9)],
        ['text_projection', f32([2, 3], 1, 2, 3, 4, 5, 6)],
        ['logit_scale', f32([], 2.5)],
      ]),
      STORAGE,
    );
    expect(Object.fromEntries([...converted].map(([name, t]) => [name, valuesOf(t)]))).toEqual({
      'vision.q.weight': [
        [1, 2],
        [1, 2],
      ],
      'vision.k.weight': [
        [1, 2],
        [3, 4],
      ],
      'vision.v.weight': [
        [1, 2],
        [5, 6],
      ],
      'vision.q.bias': [[1], [7]],
      'vision.k.bias': [[1], [8]],
      'vision.v.bias': [[1], [9]],
      'text_projection.weight': [
        [3, 2],
        [1, 4, 2, 5, 3, 6],
      ],
      logit_scale: [[], [2.5]],
    });
  });

  it('refuses a tensor the layout has no place for, naming it and the layouts that can hold it', () => {
    expect(() => toHfStateTensors(new Map([['visual.layer1.conv.weight', f32([1], 0)]]), STORAGE)).toThrow(
      'cannot save "visual.layer1.conv.weight" in the Hugging Face layout: transformers\' model has no such tensor. Save in the "open_clip" or "clipkit" layout instead.',
    );
    expect(() => toHfStateTensors(new Map([['logit_bias', f32([], -10)]]), STORAGE)).toThrow(/"logit_bias".*has no logit_bias/);
  });
});
