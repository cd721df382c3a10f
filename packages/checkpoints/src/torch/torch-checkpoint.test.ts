import { type HostTensor, readSafetensors, toFloat32 } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint-error.js';
import { bytesOf, CHECKPOINTS, expectBitIdentical, readAll } from '../checkpoint-fixtures.test-support.js';
import { openTorchCheckpoint, type TorchCheckpointOptions } from './torch-checkpoint.js';

// Every valid torch file of fixtures/checkpoints, read and compared bit for bit with an independent copy of the
// same weights: the safetensors files the fixtures hold beside them, expected.safetensors, or values the
// READMEs state. test/checkpoints/checkpoint-models.test.ts runs every model of the set forward.

async function readTorch(file: string, options?: TorchCheckpointOptions): Promise<{ format: string; tensors: Map<string, HostTensor> }> {
  const checkpoint = await openTorchCheckpoint(`${CHECKPOINTS}/${file}`, options);
  try {
    return { format: checkpoint.format, tensors: await readAll(checkpoint) };
  } finally {
    await checkpoint.close();
  }
}

async function readShards(folder: string): Promise<Map<string, HostTensor>> {
  const first = await readSafetensors(`${CHECKPOINTS}/${folder}/model-00001-of-00002.safetensors`);
  return new Map([...first, ...(await readSafetensors(`${CHECKPOINTS}/${folder}/model-00002-of-00002.safetensors`))]);
}

const int64Values = (t: HostTensor) => Array.from(t.data as BigInt64Array, Number);

describe('torch.save zips', () => {
  it('hf-bin/pytorch_model.bin: the 46 weights of hf-sharded bit for bit, plus the two stride-0 position_ids buffers', async () => {
    const { format, tensors } = await readTorch('hf-bin/pytorch_model.bin');
    expect(format).toBe('torch.save');
    const positionIds = ['text_model.embeddings.position_ids', 'vision_model.embeddings.position_ids'];
    // hf-bin/README.md: torch.arange(n).expand((1, -1)) with n = 77 (text) and 5 (vision patches + class).
    expect(tensors.get(positionIds[0])).toMatchObject({ dtype: 'I64', shape: [1, 77] });
    expect(int64Values(tensors.get(positionIds[0])!)).toEqual(Array.from({ length: 77 }, (_, i) => i));
    expect(int64Values(tensors.get(positionIds[1])!)).toEqual([0, 1, 2, 3, 4]);
    for (const name of positionIds) tensors.delete(name);
    expectBitIdentical(tensors, await readShards('hf-sharded'));
  });

  it('open-clip-hub/open_clip_pytorch_model.bin: open_clip_model.safetensors bit for bit (BUILD _metadata ignored)', async () => {
    const { tensors } = await readTorch('open-clip-hub/open_clip_pytorch_model.bin');
    expect(tensors.size).toBe(38);
    expectBitIdentical(tensors, await readSafetensors(`${CHECKPOINTS}/open-clip-hub-safetensors/open_clip_model.safetensors`));
  });

  it('open-clip-train/epoch_3.pt: state_dict chosen and `module.` stripped by default, the optimizer skipped', async () => {
    const { tensors } = await readTorch('open-clip-train/epoch_3.pt');
    expectBitIdentical(tensors, await readSafetensors(`${CHECKPOINTS}/open-clip-hub-safetensors/open_clip_model.safetensors`));
  });

  it('open-clip-train/epoch_3.pt with other roots: everything (152 tensors), the optimizer, the prefix kept', async () => {
    // README: 38 parameters; AdamW keeps step, exp_avg, exp_avg_sq for each: 38 + 3 x 38 = 152.
    const all = (await readTorch('open-clip-train/epoch_3.pt', { root: '' })).tensors;
    expect(all.size).toBe(152);
    expect(all.has('state_dict.module.visual.conv1.weight')).toBe(true);
    expect(all.get('optimizer.state.0.step')).toMatchObject({ dtype: 'F32', shape: [] });
    const optimizer = (await readTorch('open-clip-train/epoch_3.pt', { root: 'optimizer.state' })).tensors;
    expect(optimizer.size).toBe(114);
    for (let i = 0; i < 38; i++) expect(toFloat32(optimizer.get(`${i}.step`)!)[0], `step of parameter ${i}`).toBe(1); // one AdamW step
    const prefixed = (await readTorch('open-clip-train/epoch_3.pt', { stripModulePrefix: false })).tensors;
    expect([...prefixed.keys()].every((name) => name.startsWith('module.'))).toBe(true);
    await expect(openTorchCheckpoint(`${CHECKPOINTS}/open-clip-train/epoch_3.pt`, { root: 'model' })).rejects.toThrow(
      /no "model" in the top level of the checkpoint, which holds epoch, name, state_dict, optimizer/,
    );
  });

  it('edge-cases/edge-cases.bin: all 320 tensors equal expected.safetensors (views, strides, stride 0, every dtype)', async () => {
    const { tensors } = await readTorch('edge-cases/edge-cases.bin');
    const expected = await readSafetensors(`${CHECKPOINTS}/edge-cases/expected.safetensors`);
    expect(tensors.size).toBe(320);
    // expected.safetensors stores bfloat16 upcast to F32 and bool as U8 (edge-cases/README.md).
    const bf16 = tensors.get('bf16')!;
    expect(bf16.dtype).toBe('BF16');
    expect(Buffer.from(toFloat32(bf16).buffer)).toEqual(Buffer.from(bytesOf(expected.get('bf16')!)));
    const bool = tensors.get('bool')!;
    expect(bool.dtype).toBe('BOOL');
    expect(bytesOf(bool)).toEqual(bytesOf(expected.get('bool')!));
    for (const name of ['bf16', 'bool']) {
      tensors.delete(name);
      expected.delete(name);
    }
    expectBitIdentical(tensors, expected);
    expect(int64Values(tensors.get('expanded')!)).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]); // arange(5).expand(3, -1)
  });
});

describe('TorchScript archives', () => {
  // The README of each folder: tensor counts by dtype, the three int64 buffers, and build_model's derivations from names.
  const archives = [
    { folder: 'openai-jit-vit', count: 53, dtypes: { F16: 27, F32: 23, I64: 3 }, resolution: 16, visionLayers: 2, conv1: [64, 3, 8, 8] },
    { folder: 'openai-jit-rn', count: 162, dtypes: { F16: 39, F32: 98, I64: 25 }, resolution: 64, visionLayers: 0, conv1: [2, 3, 3, 3] },
  ];
  it.each(archives)('$folder/model.pt: state_dict names, dtypes and shapes as its README says', async ({ folder, count, dtypes, resolution, visionLayers, conv1 }) => {
    const { format, tensors } = await readTorch(`${folder}/model.pt`);
    expect(format).toBe('torchscript');
    expect(tensors.size).toBe(count);
    const counts: Record<string, number> = {};
    for (const t of tensors.values()) counts[t.dtype] = (counts[t.dtype] ?? 0) + 1;
    expect(counts).toEqual(dtypes);
    expect(int64Values(tensors.get('input_resolution')!)).toEqual([resolution]);
    expect(int64Values(tensors.get('context_length')!)).toEqual([77]);
    expect(int64Values(tensors.get('vocab_size')!)).toEqual([128]);
    const names = [...tensors.keys()];
    expect(names.filter((n) => n.startsWith('visual.') && n.endsWith('.attn.in_proj_weight')).length).toBe(visionLayers);
    expect(new Set(names.filter((n) => n.startsWith('transformer.resblocks')).map((n) => n.split('.')[2])).size).toBe(1);
    expect(tensors.get('visual.conv1.weight')).toMatchObject({ dtype: 'F16', shape: conv1 });
    expect(tensors.get('token_embedding.weight')).toMatchObject({ dtype: 'F32', shape: [128, 64] });
    expect(tensors.get('text_projection')).toMatchObject({ dtype: 'F16', shape: [64, 32] });
    // Module bookkeeping attributes (training, _is_full_backward_hook) are not tensors.
    expect(names.some((n) => n.endsWith('training'))).toBe(false);
  });

  it('openai-jit-rn/model.pt: ModifiedResNet layers and int64 num_batches_tracked buffers, as build_model counts them', async () => {
    const { tensors } = await readTorch('openai-jit-rn/model.pt');
    const names = [...tensors.keys()];
    // README: vision_layers=(1, 2, 1, 1), vision_width=4, image_resolution=64 -> attnpool positional_embedding (64/32)^2 + 1 = 5 rows.
    const blocks = [1, 2, 3, 4].map((b) => new Set(names.filter((n) => n.startsWith(`visual.layer${b}.`)).map((n) => n.split('.')[2])).size);
    expect(blocks).toEqual([1, 2, 1, 1]);
    expect(tensors.get('visual.layer1.0.conv1.weight')!.shape[0]).toBe(4);
    expect(tensors.get('visual.attnpool.positional_embedding')!.shape[0]).toBe(5);
    expect(names.filter((n) => n.endsWith('num_batches_tracked')).every((n) => tensors.get(n)!.dtype === 'I64')).toBe(true);
  });
});

describe('reading', () => {
  it('returns a fresh buffer on every read, also for views sharing one storage', async () => {
    const checkpoint = await openTorchCheckpoint(`${CHECKPOINTS}/edge-cases/edge-cases.bin`);
    const q = await checkpoint.read('view_q');
    const again = await checkpoint.read('view_q');
    const k = await checkpoint.read('view_k');
    expect(q.data.buffer).not.toBe(again.data.buffer);
    (q.data as Float32Array).fill(0);
    expect(again.data).toEqual((await checkpoint.read('view_q')).data);
    expect(Array.from(k.data as Float32Array).some((v) => v !== 0)).toBe(true);
    await checkpoint.close();
  });

  it('names the file and lists tensors when asked for one it does not hold', async () => {
    const checkpoint = await openTorchCheckpoint(`${CHECKPOINTS}/open-clip-hub/open_clip_pytorch_model.bin`);
    await expect(checkpoint.read('visual.proj.weight')).rejects.toThrow(CheckpointError);
    await expect(checkpoint.read('visual.proj.weight')).rejects.toThrow(
      /open_clip_pytorch_model\.bin: no tensor "visual\.proj\.weight"; the checkpoint holds 38 \(positional_embedding, /,
    );
    await checkpoint.close();
  });
});
