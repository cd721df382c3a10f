import { DTYPE_SIZES, type Dtype } from '@clipkit/core';
import type { PyObject } from '../pickle/py-values.js';
import { PickleValueError } from '../pickle/unpickle.js';
import type { StorageRef } from './storage-ref.js';

/** `(2, 3)/(3, 1)+0`: size, stride and offset in elements, as the fixtures' READMEs write a layout. */
function layout(shape: readonly number[], stride: readonly number[], offset: number): string {
  const tuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
  return `${tuple(shape)}/${tuple(stride)}+${offset}`;
}

/**
 * A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view of a storage. Made only
 * through `create`, which checks that every element it can address lies inside the storage (torch 1.13
 * does not: see fixtures/checkpoints/malicious) and that materialising it stays within `maxBytes`.
 */
export class TensorRef implements PyObject {
  readonly typeName = 'tensor';

  private constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly numel: number,
  ) {}

  get dtype(): Dtype {
    return this.storage.type.dtype;
  }

  static create(storage: StorageRef, offset: number, shape: readonly number[], stride: readonly number[], maxBytes: number): TensorRef {
    if (stride.length !== shape.length) throw new PickleValueError(`tensor size ${JSON.stringify(shape)} and stride ${JSON.stringify(stride)} differ in length`);
    // BigInt: hostile sizes must not wrap around into a plausible extent.
    const numel = shape.reduce((n, d) => n * BigInt(d), 1n);
    const bytes = numel * BigInt(DTYPE_SIZES[storage.type.dtype]);
    if (bytes > BigInt(maxBytes)) {
      throw new PickleValueError(`tensor ${layout(shape, stride, offset)} of storage ${storage.key} would take ${bytes} bytes, more than the file could hold`);
    }
    if (numel > 0n) {
      const last = shape.reduce((end, d, i) => end + BigInt(d - 1) * BigInt(stride[i]), BigInt(offset));
      if (last >= BigInt(storage.numel)) {
        throw new PickleValueError(
          `tensor ${layout(shape, stride, offset)} needs elements ${offset}..${last} of storage ${storage.key}, which holds ${storage.numel} (${storage.type.qualifiedName})`,
        );
      }
    }
    return new TensorRef(storage, offset, shape, stride, Number(numel));
  }

  /** Row-major with no gaps: the elements are one run of the storage. */
  get contiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.stride[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /** Elements from the first to the last one the view addresses (numel > 0). */
  get span(): number {
    return 1 + this.shape.reduce((end, d, i) => end + (d - 1) * this.stride[i], 0);
  }
}
