import { type HostTensor, SafetensorsFile, toFloat32 } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-error.js';
import { CHECKPOINTS, readAll } from './checkpoint-fixtures.test-support.js';
import { openCheckpoint } from './open-checkpoint.js';

async function readWith(path: string): Promise<{ source: string; tensors: Map<string, HostTensor> }> {
  const checkpoint = await openCheckpoint(path);
  try {
    return { source: checkpoint instanceof SafetensorsFile ? 'safetensors' : ((checkpoint as { format?: string }).format ?? 'sharded'), tensors: await readAll(checkpoint) };
  } finally {
    await checkpoint.close();
  }
}

/**
 * Largest distance of a rounded value from x: half a unit in the last place of a format with `mantissa` bits,
 * whose smallest normal exponent is `minExponent` (f16: 10, -14; bf16: 7, -126).
 */
function halfUlp(x: number, mantissa: number, minExponent: number): number {
  const exponent = Math.max(Math.floor(Math.log2(Math.abs(x) || 2 ** minExponent)), minExponent);
  return 2 ** (exponent - mantissa - 1);
}

describe('openCheckpoint opens every weights file of fixtures/checkpoints by its content', () => {
  it.each([
    ['openai-jit-vit/model.pt', 'torchscript', 53],
    ['openai-jit-rn/model.pt', 'torchscript', 162],
    ['hf-bin/pytorch_model.bin', 'torch.save', 48],
    ['hf-sharded/model.safetensors.index.json', 'sharded', 46],
    ['open-clip-hub/open_clip_pytorch_model.bin', 'torch.save', 38],
    ['open-clip-hub-safetensors/open_clip_model.safetensors', 'safetensors', 38],
    ['open-clip-train/epoch_3.pt', 'torch.save', 38],
    ['f16/model.safetensors', 'safetensors', 38],
    ['bf16/model.safetensors', 'safetensors', 38],
    ['edge-cases/edge-cases.bin', 'torch.save', 320],
  ])('%s: %s, %i tensors', async (file, source, count) => {
    const opened = await readWith(`${CHECKPOINTS}/${file}`);
    expect(opened.source).toBe(source);
    expect(opened.tensors.size).toBe(count);
  });

  it.each([
    ['f16', 'F16', 10, -14],
    ['bf16', 'BF16', 7, -126],
  ] as const)('%s/model.safetensors holds the float32 weights rounded to %s (within half an ulp)', async (folder, dtype, mantissa, minExponent) => {
    const { tensors } = await readWith(`${CHECKPOINTS}/${folder}/model.safetensors`);
    const { tensors: float32 } = await readWith(`${CHECKPOINTS}/open-clip-hub-safetensors/open_clip_model.safetensors`);
    let worst = 0;
    for (const [name, tensor] of tensors) {
      expect(tensor.dtype, name).toBe(dtype);
      const rounded = toFloat32(tensor);
      const exact = float32.get(name)!.data as Float32Array;
      for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(rounded[i] - exact[i]) / halfUlp(exact[i], mantissa, minExponent));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0.5); // rounding really happened: these are not the float32 values
  });

  it('refuses what is none of the formats', async () => {
    await expect(openCheckpoint(`${CHECKPOINTS}/malicious/not-a-zip.bin`)).rejects.toThrow(CheckpointError);
    await expect(openCheckpoint(`${CHECKPOINTS}/malicious/not-a-zip.bin`)).rejects.toThrow(/not-a-zip\.bin: not a checkpoint clipkit reads/);
    await expect(openCheckpoint(`${CHECKPOINTS}/no-such-file.pt`)).rejects.toThrow(/no-such-file\.pt: cannot open the file/);
  });
});
