import { open } from 'node:fs/promises';
import type { TensorSource } from '@clipkit/core';
import { SafetensorsFile } from '@clipkit/core';
import { CheckpointError } from './checkpoint-error.js';
import { openShardedCheckpoint } from './sharded/sharded-checkpoint.js';
import { openTorchCheckpoint, type TorchCheckpointOptions } from './torch/torch-checkpoint.js';

/** What the first bytes say a file is. */
async function sniff(path: string): Promise<'zip' | 'legacy-torch' | 'safetensors' | 'unknown'> {
  let head: Uint8Array;
  try {
    const file = await open(path, 'r');
    try {
      head = new Uint8Array(9);
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new CheckpointError(path, `cannot open the file: ${(error as Error).message}`);
  }
  // A zip starts with a local header, or with the end record when it is empty.
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'zip';
  // torch < 1.6: a protocol-2 pickle of a LONG1 magic number.
  if (head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a) return 'legacy-torch';
  // safetensors: an 8-byte little-endian header length, then the JSON header.
  if (head.length === 9 && head[8] === 0x7b) return 'safetensors';
  return 'unknown';
}

/**
 * Opens any checkpoint clipkit reads, by its content: a torch.save zip or TorchScript archive
 * (openTorchCheckpoint, with `options`), a safetensors file, or a sharded checkpoint's index
 * (`model.safetensors.index.json`, `pytorch_model.bin.index.json`).
 */
export async function openCheckpoint(path: string, options: TorchCheckpointOptions = {}): Promise<TensorSource> {
  if (path.endsWith('.json')) return openShardedCheckpoint(path, options);
  const format = await sniff(path);
  if (format === 'zip' || format === 'legacy-torch') return openTorchCheckpoint(path, options);
  if (format === 'safetensors') return SafetensorsFile.open(path);
  throw new CheckpointError(path, 'not a checkpoint clipkit reads: expected a torch.save zip, a TorchScript archive, a safetensors file or a sharded index (.json)');
}
