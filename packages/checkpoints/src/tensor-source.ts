import type { Dtype, HostTensor } from '@clipkit/core';

/**
 * Named tensors read lazily from one checkpoint (a safetensors file, a torch.save zip, a TorchScript
 * archive or a sharded set). `SafetensorsFile` has this shape too. Core will export it as `TensorSource`;
 * it lives here until then.
 */
export interface TensorSource {
  /** The file read, shown in errors. */
  readonly path: string;
  /** Every tensor's dtype and shape, by state_dict name. */
  readonly entries: ReadonlyMap<string, { dtype: Dtype; shape: readonly number[] }>;
  /** One tensor, contiguous, in a fresh buffer, read from disk when asked for. */
  read(name: string): Promise<HostTensor>;
  close(): Promise<void>;
}
