import type { Dtype, HostTensor } from '../safetensors/dtypes.js';

/**
 * A set of named tensors read one at a time: a safetensors file, a PyTorch checkpoint, shards. Readers
 * validate their file before trusting it and read each tensor lazily into a fresh buffer.
 */
export interface TensorSource {
  /** Shown in errors. */
  readonly path: string;
  readonly entries: ReadonlyMap<string, { readonly dtype: Dtype; readonly shape: readonly number[] }>;
  read(name: string): Promise<HostTensor>;
  close(): Promise<void>;
}
