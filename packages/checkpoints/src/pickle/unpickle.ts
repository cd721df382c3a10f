import { CheckpointError, UnsafePickleError } from '../checkpoint-error.js';
import { HIGHEST_PROTOCOL, OP } from './opcodes.js';
import { describePy, PyDict, PyFloat, PyGlobal, type PyKey, PyTuple, type PyValue } from './py-values.js';

/** What a pickle may refer to outside itself: the allow-list of globals and the persistent ids. */
export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL: the allowed global, or throws UnsafePickleError naming it. */
  findGlobal(module: string, name: string, offset: number): PyGlobal;
  /** BINPERSID: what the persistent id stands for (in torch files, a storage record). */
  persistentLoad(id: PyValue): PyValue;
}

export interface UnpickleOptions {
  /** The file, for errors. */
  file: string;
  /** The record inside the file, for errors (`model/data.pkl`). */
  record: string;
  hooks: PickleHooks;
}

/**
 * A value check failed inside a hook (a tensor's size is not a tuple of ints, ...): the unpickler adds the
 * file, record and offset and rethrows it as a CheckpointError.
 */
export class PickleValueError extends Error {}

/**
 * Limits far above any weights pickle (openai-jit-rn's data.pkl builds 1,881 objects for 162 tensors, about
 * 12 per tensor) so that a hostile pickle cannot allocate gigabytes: containers, strings and memo entries
 * are counted. Time is linear anyway: every opcode reads at least one byte and does bounded work
 * (TUPLE, APPENDS and SETITEMS consume what earlier opcodes pushed).
 */
export const PICKLE_LIMITS = {
  /** Containers, strings, bytes and objects built. */
  objects: 2_000_000,
  /** Values on the stack at once (torch's pickles keep a few thousand: SETITEMS batches of 1,000). */
  stack: 2_000_000,
  memo: 2_000_000,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs a pickle as data (CPython Lib/pickle.py `_Unpickler`, restricted to the opcodes of opcodes.ts):
 * the only things that can happen are pushing values, building containers, and asking the hooks about
 * globals and persistent ids. Nothing named in the pickle is looked up or called.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  return new Unpickler(bytes, options).run();
}

class Unpickler {
  private at = 0;
  /** Offset of the opcode being run, for errors. */
  private opcodeAt = 0;
  private readonly stack: PyValue[] = [];
  /** Stack heights at each open MARK (CPython keeps a metastack of lists; the effect is the same). */
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private objects = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(message: string): CheckpointError {
    return new CheckpointError(this.options.file, `${this.options.record} byte ${this.opcodeAt}: ${message}`);
  }

  run(): PyValue {
    const { hooks } = this.options;
    for (;;) {
      this.opcodeAt = this.at;
      if (this.at >= this.bytes.length) throw this.fail('the pickle ends without a STOP opcode (truncated?)');
      const op = this.bytes[this.at++];
      switch (op) {
        case OP.PROTO: {
          const protocol = this.uint(1);
          if (protocol > HIGHEST_PROTOCOL) throw this.fail(`pickle protocol ${protocol} is newer than any Python writes`);
          break;
        }
        case OP.FRAME:
          // Protocol 4 framing only groups opcodes for buffered reading: the frame length is checked and skipped.
          if (this.uint64() > this.bytes.length - this.at) throw this.fail('a FRAME runs past the end of the pickle');
          break;
        case OP.STOP:
          return this.pop();

        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;
        case OP.BININT1:
          this.push(this.uint(1));
          break;
        case OP.BININT2:
          this.push(this.uint(2));
          break;
        case OP.BININT:
          this.need(4);
          this.push(this.view.getInt32(this.at, true));
          this.at += 4;
          break;
        case OP.LONG1:
          this.push(this.long(this.uint(1)));
          break;
        case OP.BINFLOAT:
          this.need(8);
          this.push(new PyFloat(this.view.getFloat64(this.at, false)));
          this.at += 8;
          break;

        case OP.SHORT_BINUNICODE:
        case OP.SHORT_BINSTRING:
          this.push(this.text(this.uint(1)));
          break;
        case OP.BINUNICODE:
          this.push(this.text(this.uint(4)));
          break;
        case OP.SHORT_BINBYTES:
          this.push(this.made(this.take(this.uint(1)).slice()));
          break;
        case OP.BINBYTES:
          this.push(this.made(this.take(this.uint(4)).slice()));
          break;

        case OP.EMPTY_LIST:
          this.push(this.made([]));
          break;
        case OP.EMPTY_DICT:
          this.push(this.made(new PyDict(false)));
          break;
        case OP.EMPTY_TUPLE:
          this.push(this.made(new PyTuple([])));
          break;
        case OP.MARK:
          if (this.marks.length >= PICKLE_LIMITS.stack) throw this.fail(`more than ${PICKLE_LIMITS.stack} open MARKs`);
          this.marks.push(this.stack.length);
          break;
        case OP.TUPLE:
          this.push(this.made(new PyTuple(this.popMark())));
          break;
        case OP.TUPLE1:
        case OP.TUPLE2:
        case OP.TUPLE3: {
          const items = Array.from({ length: op - OP.TUPLE1 + 1 }, () => this.pop()).reverse();
          this.push(this.made(new PyTuple(items)));
          break;
        }
        case OP.APPEND: {
          const value = this.pop();
          this.list().push(value);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark();
          const list = this.list();
          for (const item of items) list.push(item);
          break;
        }
        case OP.SETITEM: {
          const value = this.pop();
          const key = this.pop();
          this.dict().items.set(this.key(key), value);
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark();
          if (items.length % 2 !== 0) throw this.fail(`SETITEMS with an odd number (${items.length}) of keys and values`);
          const dict = this.dict();
          for (let i = 0; i < items.length; i += 2) dict.items.set(this.key(items[i]), items[i + 1]);
          break;
        }

        case OP.BINPUT:
          this.put(this.uint(1));
          break;
        case OP.LONG_BINPUT:
          this.put(this.uint(4));
          break;
        case OP.MEMOIZE:
          this.put(this.memo.size);
          break;
        case OP.BINGET:
          this.get(this.uint(1));
          break;
        case OP.LONG_BINGET:
          this.get(this.uint(4));
          break;

        case OP.GLOBAL: {
          const module = this.line();
          const name = this.line();
          this.push(hooks.findGlobal(module, name, this.opcodeAt));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw this.fail(`STACK_GLOBAL needs two strings, got ${describePy(module)} and ${describePy(name)}`);
          this.push(hooks.findGlobal(module, name, this.opcodeAt));
          break;
        }
        case OP.REDUCE: {
          const args = this.pop();
          const callable = this.pop();
          this.push(this.invoke(callable, args, 'call'));
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop();
          const cls = this.pop();
          this.push(this.invoke(cls, args, 'construct'));
          break;
        }
        case OP.BUILD: {
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case OP.BINPERSID: {
          const id = this.pop();
          this.push(this.checked(() => hooks.persistentLoad(id)));
          break;
        }
        default:
          throw this.fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not one torch writes in a weights file; refusing the pickle`);
      }
    }
  }

  /** Runs a hook's value check, turning its PickleValueError into a CheckpointError with the position. */
  private checked<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof PickleValueError) throw this.fail(error.message);
      throw error;
    }
  }

  private invoke(target: PyValue, args: PyValue, how: 'call' | 'construct'): PyValue {
    const opcode = how === 'call' ? 'REDUCE' : 'NEWOBJ';
    if (!(target instanceof PyGlobal)) throw this.fail(`${opcode} of ${describePy(target)}: only allowed globals can be ${how === 'call' ? 'called' : 'constructed'}`);
    const action = target[how];
    if (!action) {
      throw new UnsafePickleError(
        this.options.file,
        target.qualifiedName,
        this.opcodeAt,
        `${this.options.record} byte ${this.opcodeAt}: ${opcode} of ${target.qualifiedName} is not allowed (a weights file never ${how === 'call' ? 'calls' : 'constructs'} it); nothing was run`,
      );
    }
    if (!(args instanceof PyTuple)) throw this.fail(`${opcode} of ${target.qualifiedName} with ${describePy(args)} instead of an argument tuple`);
    return this.made(this.checked(() => action(args.items)));
  }

  private build(target: PyValue, state: PyValue): void {
    if (target instanceof PyDict && target.ordered) {
      // OrderedDict has no __setstate__: BUILD sets instance attributes (torch's state_dict `_metadata`).
      target.attributes = state;
      return;
    }
    if (target !== null && typeof target === 'object' && 'typeName' in target && target.build) {
      const build = target.build.bind(target);
      this.checked(() => build(state));
      return;
    }
    throw this.fail(`BUILD on ${describePy(target)} is not allowed`);
  }

  private need(n: number): void {
    if (n > this.bytes.length - this.at) throw this.fail(`needs ${n} more bytes but the pickle has ${this.bytes.length - this.at} (truncated?)`);
  }

  /** An unsigned little-endian integer of 1, 2 or 4 bytes. */
  private uint(n: 1 | 2 | 4): number {
    this.need(n);
    const value = n === 1 ? this.bytes[this.at] : n === 2 ? this.view.getUint16(this.at, true) : this.view.getUint32(this.at, true);
    this.at += n;
    return value;
  }

  private uint64(): number {
    this.need(8);
    const value = this.view.getBigUint64(this.at, true);
    this.at += 8;
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(value);
  }

  /** LONG1: a two's-complement little-endian integer; a number when a double holds it exactly, else a BigInt. */
  private long(n: number): number | bigint {
    const bytes = this.take(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    if (bytes[n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private take(n: number): Uint8Array {
    this.need(n);
    const bytes = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return bytes;
  }

  private text(n: number): string {
    const bytes = this.take(n);
    this.count();
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.fail(`a string of ${n} bytes is not valid UTF-8`);
    }
  }

  /** A newline-terminated GLOBAL argument. */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end < 0) throw this.fail('GLOBAL without a terminating newline (truncated?)');
    return this.text(end + 1 - this.at).slice(0, -1);
  }

  /** Counts an allocation against PICKLE_LIMITS.objects. */
  private count(): void {
    if (++this.objects > PICKLE_LIMITS.objects) throw this.fail(`more than ${PICKLE_LIMITS.objects} objects: not a weights pickle`);
  }

  private made<T extends PyValue>(value: T): T {
    this.count();
    return value;
  }

  private push(value: PyValue): void {
    if (this.stack.length >= PICKLE_LIMITS.stack) throw this.fail(`more than ${PICKLE_LIMITS.stack} values on the stack`);
    this.stack.push(value);
  }

  /** The stack height below which the current MARK's frame cannot pop (CPython's separate stack per MARK). */
  private get floor(): number {
    return this.marks.length === 0 ? 0 : this.marks[this.marks.length - 1];
  }

  private pop(): PyValue {
    if (this.stack.length <= this.floor) throw this.fail('stack underflow: the pickle is corrupt');
    return this.stack.pop()!;
  }

  private top(): PyValue {
    if (this.stack.length <= this.floor) throw this.fail('stack underflow: the pickle is corrupt');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): PyValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('no MARK to pop to: the pickle is corrupt');
    return this.stack.splice(mark);
  }

  private list(): PyValue[] {
    const list = this.top();
    if (!Array.isArray(list)) throw this.fail(`APPEND to ${describePy(list)}; only lists take APPEND`);
    return list;
  }

  private dict(): PyDict {
    const dict = this.top();
    if (!(dict instanceof PyDict)) throw this.fail(`SETITEM on ${describePy(dict)}; only dicts take SETITEM`);
    return dict;
  }

  private key(value: PyValue): PyKey {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
    if (value instanceof PyFloat) return value.value;
    throw this.fail(`a dict key of ${describePy(value)}: clipkit reads str, int, float, bool and None keys`);
  }

  private put(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= PICKLE_LIMITS.memo) throw this.fail(`more than ${PICKLE_LIMITS.memo} memo entries`);
    this.memo.set(index, this.top());
  }

  private get(index: number): void {
    if (!this.memo.has(index)) throw this.fail(`memo entry ${index} was never stored`);
    this.push(this.memo.get(index)!);
  }
}
