import { endianness } from 'node:os';
import { SafetensorsError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { ARRAY_TYPES, DTYPE_SIZES, type HostTensor } from './dtypes.js';

/**
 * Writes tensors as a safetensors file, atomically (temporary file, then rename). Tensors are laid out
 * by decreasing element size, then name, as the reference writer does, so every tensor stays aligned.
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  if (endianness() !== 'LE') throw new SafetensorsError(path, 'clipkit writes safetensors (little-endian) only on little-endian machines');
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as [string, HostTensor][];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(path, 'a tensor may not be called __metadata__', name);
    const count = t.shape.reduce((n, d) => n * d, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(path, `shape ${JSON.stringify(t.shape)} is not a list of non-negative integers`, name);
    const arrayType = ARRAY_TYPES[t.dtype];
    if (!arrayType) throw new SafetensorsError(path, `unknown dtype ${JSON.stringify(t.dtype)}; expected one of ${Object.keys(DTYPE_SIZES).join(', ')}`, name);
    if (!(t.data instanceof arrayType)) throw new SafetensorsError(path, `dtype ${t.dtype} needs a ${arrayType.name}, got ${t.data.constructor.name}`, name);
    if (t.data.length !== count) throw new SafetensorsError(path, `shape ${JSON.stringify(t.shape)} has ${count} elements but the data has ${t.data.length}`, name);
  }
  entries.sort(([a, ta], [b, tb]) => DTYPE_SIZES[tb.dtype] - DTYPE_SIZES[ta.dtype] || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const jsonBytes = () => Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes() % 8)) % 8);
  const prefix = Buffer.alloc(8 + jsonBytes());
  prefix.writeBigUInt64LE(BigInt(jsonBytes()), 0);
  prefix.write(json, 8, 'utf8');

  await writeFileAtomic(path, async (file) => {
    await file.write(prefix);
    for (const [, t] of entries) await file.write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  });
}
