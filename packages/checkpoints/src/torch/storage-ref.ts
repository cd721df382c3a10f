import type { Dtype } from '@clipkit/core';
import type { PyObject } from '../pickle/py-values.js';
import { PyGlobal } from '../pickle/py-values.js';
import type { ZipEntry } from '../zip/central-directory.js';

/** `torch FloatStorage` and its kin: a name for a dtype, usable only inside a persistent id. */
export class StorageType extends PyGlobal {
  constructor(
    qualifiedName: string,
    readonly dtype: Dtype,
  ) {
    super(qualifiedName);
  }
}

/**
 * What a persistent id `('storage', torch.HalfStorage, key, location, numel)` stands for: the record
 * `<folder>/data/<key>`, holding exactly numel elements (checked when the id is read).
 */
export class StorageRef implements PyObject {
  readonly typeName = 'storage';

  constructor(
    readonly key: string,
    readonly type: StorageType,
    readonly numel: number,
    readonly entry: ZipEntry,
  ) {}
}
