import type { Dtype } from '@clipkit/core';

/**
 * The storage classes of `torch._storage_classes` that hold the dtypes clipkit reads, by the name a
 * pickle gives them (`torch FloatStorage`). Complex and quantized storages are refused.
 */
export const STORAGE_DTYPES: Readonly<Record<string, Dtype>> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/**
 * torch.dtype objects (`torch float16`): inert values that may sit beside the weights (torch's allow-list
 * has them). They can be referred to, never called.
 */
export const TORCH_DTYPE_NAMES: ReadonlySet<string> = new Set([
  'float16',
  'half',
  'bfloat16',
  'float32',
  'float',
  'float64',
  'double',
  'int8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'uint8',
  'bool',
  'complex32',
  'complex64',
  'complex128',
]);
