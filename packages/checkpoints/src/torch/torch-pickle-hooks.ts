import { DTYPE_SIZES } from '@clipkit/core';
import { UnsafePickleError } from '../checkpoint-error.js';
import { describePy, PyDict, PyGlobal, PyTuple, type PyValue } from '../pickle/py-values.js';
import { type PickleHooks, PickleValueError } from '../pickle/unpickle.js';
import type { ZipEntry } from '../zip/central-directory.js';
import { ScriptObject } from './script-object.js';
import { StorageRef, StorageType } from './storage-ref.js';
import { STORAGE_DTYPES, TORCH_DTYPE_NAMES } from './storage-types.js';
import { TensorRef } from './tensor-ref.js';

export interface TorchPickleContext {
  file: string;
  /** The pickle record, `<folder>/data.pkl`. */
  record: string;
  /** The archive's top folder: storages are `<folder>/data/<key>`. */
  folder: string;
  entries: ReadonlyMap<string, ZipEntry>;
  /** TorchScript archives (code/, constants.pkl) may hold `__torch__.*` module records. */
  torchScript: boolean;
  /** No tensor may materialise to more bytes than this (a stride-0 view can address few elements many times). */
  maxTensorBytes: number;
}

/** A storage key is a plain record name inside data/ (torch writes "0", "1", ...; torch < 1.6 wrote addresses). */
const STORAGE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TORCHSCRIPT_MODULE = /^__torch__(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function safeInteger(value: PyValue, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new PickleValueError(`${what} is ${describePy(value)}, not a non-negative integer`);
  return value;
}

function integerTuple(value: PyValue, what: string): number[] {
  if (!(value instanceof PyTuple)) throw new PickleValueError(`${what} is ${describePy(value)}, not a tuple of integers`);
  return value.items.map((item, i) => safeInteger(item, `${what}[${i}]`));
}

function expectArgs(name: string, args: readonly PyValue[], counts: number[]): void {
  if (!counts.includes(args.length)) throw new PickleValueError(`${name} takes ${counts.join(' or ')} arguments, got ${args.length}`);
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])` (torch/_utils.py). */
function rebuildTensor(args: readonly PyValue[], maxBytes: number): TensorRef {
  expectArgs('_rebuild_tensor_v2', args, [6, 7]);
  const [storage, offset, size, stride, requiresGrad, backwardHooks, metadata] = args;
  if (!(storage instanceof StorageRef)) throw new PickleValueError(`_rebuild_tensor_v2 of ${describePy(storage)} instead of a storage`);
  if (typeof requiresGrad !== 'boolean') throw new PickleValueError(`requires_grad is ${describePy(requiresGrad)}, not a bool`);
  if (!(backwardHooks instanceof PyDict)) throw new PickleValueError(`backward_hooks is ${describePy(backwardHooks)}, not an OrderedDict`);
  if (metadata !== undefined && metadata !== null && !(metadata instanceof PyDict)) throw new PickleValueError(`tensor metadata is ${describePy(metadata)}, not a dict`);
  return TensorRef.create(storage, safeInteger(offset, 'storage_offset'), integerTuple(size, 'size'), integerTuple(stride, 'stride'), maxBytes);
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)` and `_with_state(..., state)`: an nn.Parameter is its tensor. */
function rebuildParameter(name: string, count: number): (args: readonly PyValue[]) => PyValue {
  return (args) => {
    expectArgs(name, args, [count]);
    if (!(args[0] instanceof TensorRef)) throw new PickleValueError(`${name} of ${describePy(args[0])} instead of a tensor`);
    if (typeof args[1] !== 'boolean') throw new PickleValueError(`requires_grad is ${describePy(args[1])}, not a bool`);
    return args[0];
  };
}

function newOrderedDict(args: readonly PyValue[]): PyDict {
  // OrderedDict.__reduce__ pickles the class with no arguments, then the items with SETITEMS.
  expectArgs('OrderedDict', args, [0]);
  return new PyDict(true);
}

/**
 * torch/jit/_pickle.py: identity functions TorchScript's pickler wraps typed list and dict attributes in
 * (`build_intlist([1, 2])`, `restore_type_tag({...}, "Dict[str, float]")`), by their argument count.
 */
const TORCHSCRIPT_TAGS: Readonly<Record<string, number>> = {
  'torch.jit._pickle.build_intlist': 1,
  'torch.jit._pickle.build_tensorlist': 1,
  'torch.jit._pickle.build_doublelist': 1,
  'torch.jit._pickle.build_boollist': 1,
  'torch.jit._pickle.restore_type_tag': 2,
};

function typeTag(qualifiedName: string): (args: readonly PyValue[]) => PyValue {
  return (args) => {
    expectArgs(qualifiedName, args, [TORCHSCRIPT_TAGS[qualifiedName]]);
    return args[0];
  };
}

function newScriptObject(qualifiedName: string): (args: readonly PyValue[]) => ScriptObject {
  return (args) => {
    expectArgs(qualifiedName, args, [0]);
    return new ScriptObject(qualifiedName);
  };
}

/**
 * The allow-list of torch pickles: a smaller one than torch's own weights_only unpickler
 * (torch/_weights_only_unpickler.py), holding only what weights files use. `_rebuild_tensor_v2`,
 * `_rebuild_parameter(_with_state)` and `OrderedDict` can be called (each builds an inert record after
 * checking its arguments); the storage types and torch dtypes can only be referred to; inside TorchScript
 * archives only, `__torch__.*` classes can be constructed as inert records and torch.jit._pickle's type tags
 * return their argument. Every other global is refused when the GLOBAL opcode is read, before anything
 * after it runs.
 */
export function torchPickleHooks(context: TorchPickleContext): PickleHooks {
  const storages = new Map<string, StorageRef>();
  const callables: Record<string, (args: readonly PyValue[]) => PyValue> = {
    'torch._utils._rebuild_tensor_v2': (args) => rebuildTensor(args, context.maxTensorBytes),
    'torch._utils._rebuild_parameter': rebuildParameter('_rebuild_parameter', 3),
    'torch._utils._rebuild_parameter_with_state': rebuildParameter('_rebuild_parameter_with_state', 4),
    'collections.OrderedDict': newOrderedDict,
  };

  function findGlobal(module: string, name: string, offset: number): PyGlobal {
    const qualifiedName = `${module}.${name}`;
    if (Object.hasOwn(callables, qualifiedName)) return new PyGlobal(qualifiedName, callables[qualifiedName]);
    if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(qualifiedName, STORAGE_DTYPES[name]);
    if (module === 'torch' && TORCH_DTYPE_NAMES.has(name)) return new PyGlobal(qualifiedName);
    const scriptClass = TORCHSCRIPT_MODULE.test(module) && IDENTIFIER.test(name);
    if (scriptClass && context.torchScript) return new PyGlobal(qualifiedName, undefined, newScriptObject(qualifiedName));
    const scriptTag = Object.hasOwn(TORCHSCRIPT_TAGS, qualifiedName);
    if (scriptTag && context.torchScript) return new PyGlobal(qualifiedName, typeTag(qualifiedName));
    const why =
      scriptClass || scriptTag
        ? 'TorchScript classes and type tags are accepted only in TorchScript archives (with code/ or constants.pkl), and this file is a torch.save pickle'
        : 'a weights file needs only tensors, storages and OrderedDict';
    throw new UnsafePickleError(
      context.file,
      qualifiedName,
      offset,
      `${context.record} byte ${offset}: global ${qualifiedName} is not allowed (${why}); the file was refused before anything in it was built or run. ` +
        'If you trust it, load it with PyTorch and save the state_dict as safetensors.',
    );
  }

  /** `('storage', torch.HalfStorage, key, location, numel)` (torch/serialization.py `_load.persistent_load`). */
  function persistentLoad(id: PyValue): StorageRef {
    if (!(id instanceof PyTuple) || id.items.length !== 5 || id.items[0] !== 'storage') {
      throw new PickleValueError(`persistent id ${describePy(id)} is not ('storage', type, key, location, numel)`);
    }
    const [, type, key, location, count] = id.items;
    if (!(type instanceof StorageType)) throw new PickleValueError(`persistent id with storage type ${describePy(type)}`);
    if (typeof key !== 'string' || !STORAGE_KEY.test(key)) throw new PickleValueError(`storage key ${describePy(key)} does not name a record in ${context.folder}/data/`);
    if (typeof location !== 'string') throw new PickleValueError(`storage ${key} has location ${describePy(location)}, not a device name`);
    const numel = safeInteger(count, `storage ${key} numel`);
    const known = storages.get(key);
    if (known) {
      if (known.type.dtype !== type.dtype || known.numel !== numel) {
        throw new PickleValueError(`storage ${key} is ${known.numel} x ${known.type.qualifiedName} and also ${numel} x ${type.qualifiedName}`);
      }
      return known;
    }
    const record = `${context.folder}/data/${key}`;
    const entry = context.entries.get(record);
    if (!entry) throw new PickleValueError(`storage ${key} has no record ${record} in the archive`);
    if (entry.method !== 0) throw new PickleValueError(`storage record ${record} is compressed; torch stores tensor data uncompressed`);
    const bytes = BigInt(numel) * BigInt(DTYPE_SIZES[type.dtype]);
    if (bytes !== BigInt(entry.size)) {
      throw new PickleValueError(`storage ${key}: ${numel} x ${type.qualifiedName} needs ${bytes} bytes but its record ${record} holds ${entry.size}`);
    }
    const storage = new StorageRef(key, type, numel, entry);
    storages.set(key, storage);
    return storage;
  }

  return { findGlobal, persistentLoad };
}
