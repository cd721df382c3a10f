/**
 * The Python values a weights pickle can hold, as inert data. Nothing here has behaviour that a file can
 * trigger: globals are descriptions chosen by an allow-list (see PickleHooks), never functions looked up
 * by name.
 */

/** A Python float (BINFLOAT), kept apart from ints so that a size or offset written as a float is refused. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** Dict keys that Python can hash and clipkit can compare: ints, strings, bools, None, floats (by value). */
export type PyKey = string | number | bigint | boolean | null;

/** dict or collections.OrderedDict (a JS Map keeps insertion order, as both do). */
export class PyDict {
  readonly items = new Map<PyKey, PyValue>();
  /** The instance attributes BUILD gave an OrderedDict (torch's state_dict `_metadata`); not items. */
  attributes: PyValue = null;

  constructor(readonly ordered: boolean) {}
}

/**
 * A global the allow-list accepted, with what the pickle may do with it. A global without `call` cannot
 * be REDUCEd, one without `construct` cannot be NEWOBJ'd: both are refused before anything is built.
 */
export class PyGlobal {
  constructor(
    /** `module.name`, e.g. `torch._utils._rebuild_tensor_v2`. */
    readonly qualifiedName: string,
    readonly call?: (args: readonly PyValue[]) => PyValue,
    readonly construct?: (args: readonly PyValue[]) => PyValue,
  ) {}
}

/** An object made by an allowed global (a tensor, a TorchScript module record): opaque to the VM. */
export interface PyObject {
  readonly typeName: string;
  /** BUILD: takes the pickled state. Objects without it refuse BUILD. */
  build?(state: PyValue): void;
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyFloat | PyTuple | PyDict | PyValue[] | PyGlobal | PyObject;

/** A short description of a value for error messages (type and size, never the contents). */
export function describePy(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'string') return value.length > 40 ? `str "${value.slice(0, 37)}..."` : `str "${value}"`;
  if (value instanceof Uint8Array) return `bytes (${value.length})`;
  if (value instanceof PyFloat) return `float ${value.value}`;
  if (value instanceof PyTuple) return `tuple (${value.items.length} items)`;
  if (value instanceof PyDict) return `${value.ordered ? 'OrderedDict' : 'dict'} (${value.items.size} items)`;
  if (Array.isArray(value)) return `list (${value.length} items)`;
  if (value instanceof PyGlobal) return `global ${value.qualifiedName}`;
  return value.typeName;
}
