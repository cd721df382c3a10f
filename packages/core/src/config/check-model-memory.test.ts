import { describe, expect, it } from 'vitest';
import { definePlugin } from '../di/plugin.js';
import { TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from '../di/slots.js';
import { modelMemoryProblems } from './check-model-memory.js';
import type { ClipConfig } from './clip-config.js';
import { transformerSize } from './tower-size.js';

const GB = 2 ** 30;

/** Towers whose size is what the section says, so each limit can be met exactly. */
const plugins = [
  definePlugin({ slot: TRAINABLE_IMAGE_ENCODER, type: 'sized', size: (s) => s.size as never, create: () => ({}) as never }),
  definePlugin({ slot: TRAINABLE_TEXT_ENCODER, type: 'sized', size: (s) => s.size as never, create: () => ({}) as never }),
];

function config(vision: object, text: object, batchSize = 8, accumulationSteps = 1): ClipConfig {
  const tower = (size: object) => ({ type: 'sized', size: { parameters: 0, largestTensor: 0, activations: 0, ...size } });
  return { model: { embedDim: 4, vision: tower(vision), text: tower(text) }, train: { batchSize, accumulationSteps } } as unknown as ClipConfig;
}

describe('modelMemoryProblems', () => {
  it('refuses float32 weights beyond the machine, training or not', () => {
    const limits = { totalBytes: 8 * GB };
    expect(modelMemoryProblems(config({ parameters: GB }, { parameters: GB }), plugins, false, limits)).toEqual([]);
    const [problem] = modelMemoryProblems(config({ parameters: GB }, { parameters: GB + 1 }), plugins, false, limits);
    expect(problem.path).toBe('model');
    expect(problem.message).toContain("8.0 GB of float32 weights, more than this machine's 8.0 GB of memory");
  });

  it('refuses a micro-batch whose largest tensor passes 4 GiB, at train.batchSize', () => {
    const limits = { totalBytes: 1024 * GB };
    // 8 samples x 2^27 values x 4 bytes is exactly 4 GiB; one more value per sample is over.
    expect(modelMemoryProblems(config({ largestTensor: 2 ** 27 }, {}), plugins, true, limits)).toEqual([]);
    const [problem] = modelMemoryProblems(config({ largestTensor: 2 ** 27 + 1 }, {}), plugins, true, limits);
    expect(problem.path).toBe('train.batchSize');
    expect(problem.message).toContain('a micro-batch of 8 makes a tensor of 4.0 GB in model.vision');
    // Accumulation halves the micro-batch, and a model alone is not checked for training.
    expect(modelMemoryProblems(config({ largestTensor: 2 ** 27 + 1 }, {}, 8, 2), plugins, true, limits)).toEqual([]);
    expect(modelMemoryProblems(config({ largestTensor: 2 ** 27 + 1 }, {}), plugins, false, limits)).toEqual([]);
  });

  it('refuses a training step of 16 bytes per parameter plus the kept activations beyond the machine', () => {
    const limits = { totalBytes: 16 * GB };
    // 2^28 parameters x 16 bytes = 4 GiB; 8 samples x 2^28 activations x 4 bytes = 8 GiB; 12 GiB in all.
    expect(modelMemoryProblems(config({ parameters: 2 ** 28 }, { activations: 2 ** 28 }), plugins, true, limits)).toEqual([]);
    const [problem] = modelMemoryProblems(config({ parameters: 2 ** 28 }, { activations: 2 ** 29 }), plugins, true, limits);
    expect(problem.message).toContain('needs about 20.0 GB');
  });
});

describe('transformerSize', () => {
  it("counts OpenAI ViT-B/32's blocks: 12 x 7,087,872 parameters", () => {
    // Each block of CLIP ViT-B/32 (width 768, MLP 3072): in_proj 3 w^2 + 3 w, out_proj w^2 + w, two LayerNorms 4 w, c_fc w m + m, c_proj m w + w.
    const size = transformerSize({ tokens: 50, width: 768, heads: 12, mlpWidth: 3072, layers: 12, otherParameters: 0 });
    expect(size.parameters).toBe(12 * 7_087_872);
    expect(size.largestTensor).toBe(50 * 3072);
  });
});
