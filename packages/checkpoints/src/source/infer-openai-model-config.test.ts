import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint-error.js';
import { CHECKPOINTS } from '../checkpoint-fixtures.test-support.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { inferOpenAiModelConfig } from './infer-openai-model-config.js';

async function shapesOf(file: string) {
  const source = await openCheckpoint(file);
  await source.close();
  return source.entries;
}

describe('inferOpenAiModelConfig', () => {
  // fixtures/checkpoints/README.md, "Models": the OpenAI CLIP(...) arguments each archive was made from, in open_clip's terms
  // (heads = width // 64: 1 text head of width 64; the ResNet's attention pool has 4 x 32 // 64 = 2 heads).
  it.each([
    [
      'openai-jit-vit',
      {
        embed_dim: 32,
        quick_gelu: true,
        vision_cfg: { image_size: 16, layers: 2, width: 64, patch_size: 8, head_width: 64 },
        text_cfg: { context_length: 77, vocab_size: 128, width: 64, heads: 1, layers: 1 },
      },
    ],
    [
      'openai-jit-rn',
      {
        embed_dim: 32,
        quick_gelu: true,
        vision_cfg: { image_size: 64, layers: [1, 2, 1, 1], width: 4, patch_size: null, head_width: 64 },
        text_cfg: { context_length: 77, vocab_size: 128, width: 64, heads: 1, layers: 1 },
      },
    ],
  ])('reads %s/model.pt as the CLIP(...) it was made from', async (folder, expected) => {
    expect(inferOpenAiModelConfig('model.pt', await shapesOf(`${CHECKPOINTS}/${folder}/model.pt`))).toEqual(expected);
  });

  it('names the tensor it needs, and refuses widths under one 64-wide head', async () => {
    const shapes = new Map(await shapesOf(`${CHECKPOINTS}/openai-jit-vit/model.pt`));
    shapes.delete('visual.positional_embedding');
    expect(() => inferOpenAiModelConfig('model.pt', shapes)).toThrow(CheckpointError);
    expect(() => inferOpenAiModelConfig('model.pt', shapes)).toThrow('it has no "visual.positional_embedding"');
    const narrow = new Map(await shapesOf(`${CHECKPOINTS}/openai-jit-vit/model.pt`));
    narrow.set('ln_final.weight', { dtype: 'F32', shape: [32] });
    expect(() => inferOpenAiModelConfig('model.pt', narrow)).toThrow("its text width 32 is under 64, so OpenAI's rule heads = width // 64 gives none");
  });
});
