import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { TensorSource } from '@clipkit/core';
import { type Dtype, type HostTensor, SafetensorsFile } from '@clipkit/core';
import { CheckpointError } from '../checkpoint-error.js';
import { openTorchCheckpoint, type TorchCheckpointOptions } from '../torch/torch-checkpoint.js';

/** An index lists tensor names and shard file names: a few MB even for the largest models. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** `{"metadata": {...}, "weight_map": {tensor name: shard file}}` as transformers' save_pretrained writes it. */
async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  let text: string;
  try {
    const { size } = await stat(indexPath);
    if (size > MAX_INDEX_BYTES) throw new CheckpointError(indexPath, `${size} bytes is too large for a shard index`);
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(indexPath, `cannot read the index: ${(error as Error).message}`);
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(indexPath, `the index is not valid JSON: ${(error as Error).message}`);
  }
  const weightMap = typeof index === 'object' && index !== null ? (index as Record<string, unknown>).weight_map : undefined;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap) || !Object.values(weightMap).every((v) => typeof v === 'string')) {
    throw new CheckpointError(indexPath, 'the index has no "weight_map" object of tensor name -> shard file name');
  }
  return new Map(Object.entries(weightMap as Record<string, string>));
}

/** A shard file beside the index; names that lead out of the index's folder are refused. */
function shardPath(indexPath: string, shard: string): string {
  const folder = dirname(resolve(indexPath));
  const path = resolve(folder, shard);
  const inside = relative(folder, path);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new CheckpointError(indexPath, `shard "${shard}" is not a file in the index's folder`);
  }
  return path;
}

/**
 * Opens a sharded checkpoint through its index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`)
 * as one TensorSource. Every shard named must exist and open, every tensor the index names must be in the
 * shard it names, and every tensor of every shard must be listed there, once. Shards are safetensors files
 * or torch.save zips (read with `options`).
 */
export async function openShardedCheckpoint(indexPath: string, options: TorchCheckpointOptions = {}): Promise<TensorSource> {
  const weightMap = await readWeightMap(indexPath);
  if (weightMap.size === 0) throw new CheckpointError(indexPath, 'the weight_map is empty');
  const shards = new Map<string, TensorSource>();
  try {
    for (const shard of new Set(weightMap.values())) {
      const path = shardPath(indexPath, shard);
      if (!existsSync(path)) throw new CheckpointError(indexPath, `shard ${shard} named in the weight_map does not exist (${path})`);
      shards.set(shard, path.endsWith('.safetensors') ? await SafetensorsFile.open(path) : await openTorchCheckpoint(path, options));
    }
    for (const [name, shard] of weightMap) {
      if (!shards.get(shard)!.entries.has(name)) throw new CheckpointError(indexPath, `weight_map puts "${name}" in ${shard}, which does not hold it`);
    }
    for (const [shard, source] of shards) {
      for (const name of source.entries.keys()) {
        const listed = weightMap.get(name);
        if (listed === undefined) throw new CheckpointError(indexPath, `${shard} holds "${name}", which the weight_map does not list`);
        if (listed !== shard) throw new CheckpointError(indexPath, `"${name}" is in both ${shard} and ${listed}; the weight_map names ${listed}`);
      }
    }
  } catch (error) {
    await Promise.all([...shards.values()].map((source) => source.close()));
    throw error;
  }
  return new ShardedCheckpoint(indexPath, weightMap, shards);
}

class ShardedCheckpoint implements TensorSource {
  readonly entries: ReadonlyMap<string, { dtype: Dtype; shape: readonly number[] }>;

  constructor(
    readonly path: string,
    private readonly weightMap: ReadonlyMap<string, string>,
    private readonly shards: ReadonlyMap<string, TensorSource>,
  ) {
    this.entries = new Map(
      [...weightMap].map(([name, shard]) => {
        const { dtype, shape } = shards.get(shard)!.entries.get(name)!;
        return [name, { dtype, shape }];
      }),
    );
  }

  read(name: string): Promise<HostTensor> {
    const shard = this.weightMap.get(name);
    if (shard === undefined) return Promise.reject(new CheckpointError(this.path, `no tensor "${name}" in the weight_map (${this.weightMap.size} tensors)`));
    return this.shards.get(shard)!.read(name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((source) => source.close()));
  }
}
