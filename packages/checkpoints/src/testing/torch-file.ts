import type { PickleWriter } from './pickle-writer.js';
import { type ZipRecord, type ZipWriterOptions, zipChunks } from './zip-writer.js';

/** A storage as a persistent id names it. */
export interface StorageSpec {
  /** `FloatStorage`, `HalfStorage`, ... */
  type: string;
  key: string;
  numel: number | bigint;
  location?: string;
}

/** A tensor as `_rebuild_tensor_v2` takes it (offset, shape and stride in elements). */
export interface TensorSpec {
  storage: StorageSpec;
  offset?: number;
  shape: readonly number[];
  stride?: readonly number[];
}

/** Row-major strides of a shape. */
export function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = step;
    step *= shape[i];
  }
  return stride;
}

/** Writes one tensor the way torch.save does (without memo entries): `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function writeTensor(pickle: PickleWriter, tensor: TensorSpec): PickleWriter {
  const { storage } = tensor;
  pickle.global('torch._utils', '_rebuild_tensor_v2').mark();
  pickle
    .mark()
    .str('storage')
    .global('torch', storage.type)
    .str(storage.key)
    .str(storage.location ?? 'cpu')
    .int(storage.numel)
    .tuple()
    .persid();
  pickle
    .int(tensor.offset ?? 0)
    .ints(tensor.shape)
    .ints(tensor.stride ?? contiguousStride(tensor.shape))
    .bool(false)
    .orderedDict();
  return pickle.tuple().reduce();
}

export interface TorchFileSpec {
  /** The top folder; torch uses the file name without extension, or `archive`. Default `archive`. */
  folder?: string;
  pickle: Uint8Array;
  /** Storage records by key: `<folder>/data/<key>`. */
  storages: ReadonlyMap<string, Uint8Array>;
  /** torch >= 2.0 writes `byteorder`; absent by default (as torch 1.13). */
  byteorder?: string;
  /** More records (TorchScript's code/ and constants.pkl), names relative to the folder. */
  extra?: readonly ZipRecord[];
}

/** A torch.save-style zip (records in torch's order: data.pkl, byteorder, data/*, extra, version). */
export function torchFileChunks(spec: TorchFileSpec, options: ZipWriterOptions = {}): Uint8Array[] {
  const folder = spec.folder ?? 'archive';
  const records: ZipRecord[] = [{ name: `${folder}/data.pkl`, data: spec.pickle }];
  if (spec.byteorder !== undefined) records.push({ name: `${folder}/byteorder`, data: new TextEncoder().encode(spec.byteorder) });
  for (const [key, data] of spec.storages) records.push({ name: `${folder}/data/${key}`, data });
  for (const record of spec.extra ?? []) records.push({ ...record, name: `${folder}/${record.name}` });
  records.push({ name: `${folder}/version`, data: new TextEncoder().encode('3\n') });
  return zipChunks(records, options);
}
