import type { PyObject, PyValue } from '../pickle/py-values.js';
import { PyDict } from '../pickle/py-values.js';
import { PickleValueError } from '../pickle/unpickle.js';

/**
 * A TorchScript module object (`__torch__.clip.model.VisionTransformer`, EMPTY_TUPLE, NEWOBJ, then BUILD with
 * its attribute dict) kept as an inert record: its class is only a name, its code in code/ is never read.
 */
export class ScriptObject implements PyObject {
  attributes: PyDict | null = null;

  constructor(readonly typeName: string) {}

  build(state: PyValue): void {
    if (this.attributes) throw new PickleValueError(`BUILD twice on ${this.typeName}`);
    if (!(state instanceof PyDict) || ![...state.items.keys()].every((k) => typeof k === 'string')) {
      throw new PickleValueError(`BUILD of ${this.typeName} with a state that is not a dict of attribute names`);
    }
    this.attributes = state;
  }
}
