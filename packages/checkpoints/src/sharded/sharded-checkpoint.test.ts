import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint-error.js';
import { CHECKPOINTS, expectBitIdentical, readAll } from '../checkpoint-fixtures.test-support.js';
import { openTorchCheckpoint } from '../torch/torch-checkpoint.js';
import { openShardedCheckpoint } from './sharded-checkpoint.js';

const SHARDED = `${CHECKPOINTS}/hf-sharded`;
const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];

/** A copy of hf-sharded's shards beside an index with the given weight_map. */
function folderWithIndex(weightMap: Record<string, string> | unknown, index = 'model.safetensors.index.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-sharded-'));
  for (const shard of SHARDS) copyFileSync(`${SHARDED}/${shard}`, join(dir, shard));
  writeFileSync(join(dir, index), JSON.stringify({ metadata: { total_size: 520964 }, weight_map: weightMap }));
  return join(dir, index);
}

async function originalWeightMap(): Promise<Record<string, string>> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(`${SHARDED}/model.safetensors.index.json`, 'utf8')).weight_map;
}

describe('openShardedCheckpoint', () => {
  it('hf-sharded: one source over both shards, bit-identical to the shards and to hf-bin/pytorch_model.bin', async () => {
    const source = await openShardedCheckpoint(`${SHARDED}/model.safetensors.index.json`);
    expect(source.entries.size).toBe(46); // README: 26 + 20 tensors
    const tensors = await readAll(source);
    await source.close();
    const shards = new Map([...(await readSafetensors(`${SHARDED}/${SHARDS[0]}`)), ...(await readSafetensors(`${SHARDED}/${SHARDS[1]}`))]);
    expectBitIdentical(tensors, shards);
    const bin = await openTorchCheckpoint(`${CHECKPOINTS}/hf-bin/pytorch_model.bin`);
    const fromBin = await readAll(bin);
    await bin.close();
    for (const name of ['text_model.embeddings.position_ids', 'vision_model.embeddings.position_ids']) fromBin.delete(name);
    expectBitIdentical(tensors, fromBin);
  });

  it('pytorch_model.bin.index.json: torch.save shards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-sharded-bin-'));
    copyFileSync(`${CHECKPOINTS}/hf-bin/pytorch_model.bin`, join(dir, 'pytorch_model-00001-of-00001.bin'));
    const bin = await openTorchCheckpoint(join(dir, 'pytorch_model-00001-of-00001.bin'));
    const weightMap = Object.fromEntries([...bin.entries.keys()].map((name) => [name, 'pytorch_model-00001-of-00001.bin']));
    const expected = await readAll(bin);
    await bin.close();
    writeFileSync(join(dir, 'pytorch_model.bin.index.json'), JSON.stringify({ weight_map: weightMap }));
    const source = await openShardedCheckpoint(join(dir, 'pytorch_model.bin.index.json'));
    expectBitIdentical(await readAll(source), expected);
    await source.close();
  });

  it('refuses an index whose shards or weight_map do not match, naming the index', async () => {
    const map = await originalWeightMap();
    const [first, second] = Object.keys(map).filter((name) => map[name] === SHARDS[0]);
    const cases: [string, () => string, RegExp][] = [
      [
        'a missing shard',
        () => folderWithIndex({ ...map, [first]: 'model-00003-of-00002.safetensors' }),
        /shard model-00003-of-00002\.safetensors named in the weight_map does not exist/,
      ],
      ['a tensor put in the wrong shard', () => folderWithIndex({ ...map, [first]: SHARDS[1] }), new RegExp(`weight_map puts "${first}" in ${SHARDS[1]}, which does not hold it`)],
      [
        'a tensor the weight_map leaves out',
        () => {
          const { [second]: _, ...rest } = map;
          return folderWithIndex(rest);
        },
        new RegExp(`${SHARDS[0]} holds "${second}", which the weight_map does not list`),
      ],
      [
        'a shard outside the folder',
        () => folderWithIndex({ ...map, [first]: '../model-00001-of-00002.safetensors' }),
        /shard "\.\.\/model-00001-of-00002\.safetensors" is not a file in the index's folder/,
      ],
      ['no weight_map', () => folderWithIndex(['not', 'a', 'map']), /no "weight_map" object/],
      ['an empty weight_map', () => folderWithIndex({}), /the weight_map is empty/],
    ];
    for (const [what, make, message] of cases) {
      const index = make();
      const error = await openShardedCheckpoint(index).then(
        () => new Error(`${what}: accepted`),
        (e: unknown) => e as Error,
      );
      expect(error, what).toBeInstanceOf(CheckpointError);
      expect(error.message.startsWith(`${index}: `), what).toBe(true);
      expect(error.message, what).toMatch(message);
    }
  });

  it('refuses a tensor held by two shards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-sharded-dup-'));
    const w = { dtype: 'F32' as const, shape: [1], data: Float32Array.from([1]) };
    await writeSafetensors(join(dir, 'a.safetensors'), { w, x: w });
    await writeSafetensors(join(dir, 'b.safetensors'), { w, y: w });
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ weight_map: { w: 'a.safetensors', x: 'a.safetensors', y: 'b.safetensors' } }));
    await expect(openShardedCheckpoint(join(dir, 'index.json'))).rejects.toThrow(/"w" is in both b\.safetensors and a\.safetensors; the weight_map names a\.safetensors/);
  });
});
