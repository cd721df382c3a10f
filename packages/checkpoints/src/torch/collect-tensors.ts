import { CheckpointError } from '../checkpoint-error.js';
import { PyDict, type PyKey, PyTuple, type PyValue } from '../pickle/py-values.js';
import { ScriptObject } from './script-object.js';
import { TensorRef } from './tensor-ref.js';

/** Python's recursion limit: its pickler cannot write data nested deeper. */
const MAX_DEPTH = 1000;

/** The children of a container by name: dict items, list/tuple indices, TorchScript module attributes. */
function children(value: PyValue): [string, PyValue][] | null {
  if (value instanceof PyDict) return [...value.items].map(([key, child]) => [keyName(key), child]);
  if (value instanceof ScriptObject) return value.attributes ? children(value.attributes) : [];
  if (value instanceof PyTuple) return value.items.map((child, i) => [String(i), child]);
  if (Array.isArray(value)) return value.map((child, i) => [String(i), child]);
  return null;
}

function keyName(key: PyKey): string {
  if (key === null) return 'None';
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  return String(key);
}

/**
 * Every tensor under `root` by dotted path, the way `module.state_dict()` names parameters and buffers:
 * dict keys, list indices and module attribute names joined with dots (`visual.transformer.resblocks.0.attn.in_proj_weight`).
 * Other values (numbers, strings, None, dtypes) are skipped. `maxVisits` bounds the walk (a pickle can share
 * one container many times over, multiplying the paths); cycles and nesting deeper than MAX_DEPTH are errors.
 */
export function collectTensors(file: string, root: PyValue, maxVisits: number): Map<string, TensorRef> {
  const tensors = new Map<string, TensorRef>();
  const ancestors = new Set<PyValue>();
  let visits = 0;
  const visit = (value: PyValue, path: string): void => {
    if (++visits > maxVisits) throw new CheckpointError(file, `the object graph has more than ${maxVisits} paths (containers shared many times over)`);
    if (value instanceof TensorRef) {
      if (tensors.has(path)) throw new CheckpointError(file, `two tensors are named "${path}"`);
      tensors.set(path, value);
      return;
    }
    const named = children(value);
    if (!named) return;
    if (ancestors.has(value)) throw new CheckpointError(file, `"${path}" contains itself: the object graph has a cycle`);
    if (ancestors.size >= MAX_DEPTH) throw new CheckpointError(file, `containers nest deeper than ${MAX_DEPTH} levels`);
    ancestors.add(value);
    for (const [name, child] of named) visit(child, path === '' ? name : `${path}.${name}`);
    ancestors.delete(value);
  };
  visit(root, '');
  return tensors;
}

/**
 * The object at a dotted path (`state_dict`, `model.ema`); the error lists what is there instead.
 * A path step matches a dict key, a list index or a module attribute.
 */
export function selectPath(file: string, root: PyValue, path: string): PyValue {
  let value = root;
  for (const [i, step] of path.split('.').entries()) {
    const named = children(value);
    const found = named?.find(([name]) => name === step);
    if (!found) {
      const where = i === 0 ? 'the top level' : `"${path.split('.').slice(0, i).join('.')}"`;
      const keys = named?.map(([name]) => name) ?? [];
      const holds = keys.length === 0 ? 'nothing by name' : keys.slice(0, 10).join(', ') + (keys.length > 10 ? ', ...' : '');
      throw new CheckpointError(file, `no "${step}" in ${where} of the checkpoint, which holds ${holds}; pass the path of the tensors' dict as \`root\``);
    }
    value = found[1];
  }
  return value;
}
