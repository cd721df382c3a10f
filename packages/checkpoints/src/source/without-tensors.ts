import type { HostTensor, TensorSource } from '@clipkit/core';
import { CheckpointError } from '../checkpoint-error.js';

/** A tensor source without some of its entries (OpenAI's int64 scalars that are not weights). */
export function withoutTensors(source: TensorSource, names: readonly string[]): TensorSource {
  const entries = new Map([...source.entries].filter(([name]) => !names.includes(name)));
  return {
    path: source.path,
    entries,
    read: (name: string): Promise<HostTensor> =>
      entries.has(name) ? source.read(name) : Promise.reject(new CheckpointError(source.path, `no tensor "${name}" among the ${entries.size} weights`)),
    close: () => source.close(),
  };
}
