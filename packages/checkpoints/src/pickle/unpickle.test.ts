import { describe, expect, it } from 'vitest';
import { CheckpointError, UnsafePickleError } from '../checkpoint-error.js';
import { PickleWriter } from '../testing/pickle-writer.js';
import { PyDict, PyFloat, PyGlobal, PyTuple, type PyValue } from './py-values.js';
import { PICKLE_LIMITS, type PickleHooks, PickleValueError, unpickle } from './unpickle.js';

/** Hooks for these tests: OrderedDict and a `test.Point` class are allowed; persistent ids come back tagged. */
const hooks: PickleHooks = {
  findGlobal(module, name, offset) {
    if (module === 'collections' && name === 'OrderedDict') return new PyGlobal('collections.OrderedDict', () => new PyDict(true));
    if (module === 'test' && name === 'Point')
      return new PyGlobal('test.Point', undefined, (args) => {
        if (args.length !== 0) throw new PickleValueError('Point takes no arguments');
        return { typeName: 'Point', build() {} };
      });
    throw new UnsafePickleError('test.pkl', `${module}.${name}`, offset, `global ${module}.${name} refused`);
  },
  persistentLoad: (id) => new PyTuple(['loaded', id]),
};

const run = (bytes: Uint8Array | string) => unpickle(typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes, { file: 'test.pkl', record: 'data.pkl', hooks });

function failure(bytes: Uint8Array | string): CheckpointError {
  try {
    run(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error('the pickle was accepted');
}

/** Plain JS for comparisons: tuples as {tuple: [...]}, dicts as arrays of [key, value], floats as {float: x}. */
function plain(value: PyValue): unknown {
  if (value instanceof PyTuple) return { tuple: value.items.map(plain) };
  if (value instanceof PyDict) return [...value.items].map(([k, v]) => [k, plain(v)]);
  if (value instanceof PyFloat) return { float: value.value };
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

describe('unpickle reads what CPython writes', () => {
  it('protocol 2: ints of every width, LONG1, floats, None, bools, UTF-8 strings, tuples, int and float keys', () => {
    // pickle.dumps({'a': [1, 300, 70000, -5, 2**40, -2**70, 3.5, None, True, False, 'é€', (1,), (1,2), (1,2,3), (1,2,3,4), ()], 7: 'x', 2.5: None}, protocol=2)
    const value = run(
      '80027d71002858010000006171015d7102284b014d2c014a701101004afbffffff8a060000000000018a090000000000000000c047400c0000000000004e88895805000000c3a9e282ac71034b018571044b014b028671054b014b024b03877106284b014b024b034b0474710729654b0758010000007871084740040000000000004e752e',
    );
    expect(plain(value)).toEqual([
      [
        'a',
        [
          1,
          300,
          70000,
          -5,
          2 ** 40,
          -(2n ** 70n),
          { float: 3.5 },
          null,
          true,
          false,
          'é€',
          { tuple: [1] },
          { tuple: [1, 2] },
          { tuple: [1, 2, 3] },
          { tuple: [1, 2, 3, 4] },
          { tuple: [] },
        ],
      ],
      [7, 'x'],
      [2.5, null],
    ]);
  });

  it('protocol 4: FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, SETITEM, BINFLOAT', () => {
    // pickle.dumps({'k': collections.OrderedDict(x=1.25)}, protocol=4)
    const value = run('80049537000000000000007d948c016b948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c017894473ff400000000000073732e');
    expect(plain(value)).toEqual([['k', [['x', { float: 1.25 }]]]]);
    expect(((value as PyDict).items.get('k') as PyDict).ordered).toBe(true);
  });

  it('protocol 3 bytes (SHORT_BINBYTES, BINBYTES) and the memo sharing one list under two keys', () => {
    // pickle.dumps([b'\x00\xff', b'z' * 300], protocol=3)
    const bytes = run(`80035d710028430200ff7101422c010000${'7a'.repeat(300)}7102652e`) as Uint8Array[];
    expect(Array.from(bytes[0])).toEqual([0, 255]);
    expect(Buffer.from(bytes[1]).toString()).toBe('z'.repeat(300));
    // l = [1]; pickle.dumps({'x': l, 'y': l}, protocol=2)
    const shared = run('80027d71002858010000007871015d71024b016158010000007971036802752e') as PyDict;
    expect(shared.items.get('x')).toBe(shared.items.get('y'));
  });

  it('SHORT_BINSTRING (Python 2 str) decodes as UTF-8, as torch.load does by default', () => {
    expect(run(new PickleWriter().proto().op(0x55, 3).raw(new TextEncoder().encode('abc')).stop().toBytes())).toBe('abc');
  });

  it('passes persistent ids to the hook and builds NEWOBJ + BUILD objects through their global', () => {
    const pickle = new PickleWriter().proto().mark().str('storage').int(3).tuple().persid().stop().toBytes();
    expect(plain(run(pickle))).toEqual({ tuple: ['loaded', { tuple: ['storage', 3] }] });
    const point = new PickleWriter().proto().global('test', 'Point').emptyTuple().newobj().emptyDict().build().stop().toBytes();
    expect((run(point) as { typeName: string }).typeName).toBe('Point');
  });
});

describe('unpickle refuses', () => {
  it('a global the hooks refuse, at its GLOBAL opcode, before the REDUCE after it', () => {
    // GLOBAL 'os system', then the argument tuple and REDUCE: refused at byte 2.
    const pickle = new PickleWriter().proto().global('os', 'system').str('touch x').op(0x85).reduce().stop().toBytes();
    const error = failure(pickle);
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect(error).toMatchObject({ global: 'os.system', offset: 2 });
  });

  it('the same through STACK_GLOBAL', () => {
    const pickle = new PickleWriter().proto(4).str('builtins').str('eval').op(0x93).stop().toBytes();
    expect(failure(pickle)).toMatchObject({ global: 'builtins.eval' });
  });

  it('REDUCE or NEWOBJ of a global the allow-list did not make callable', () => {
    const reduce = new PickleWriter().proto().global('test', 'Point').emptyTuple().reduce().stop().toBytes();
    expect(failure(reduce)).toBeInstanceOf(UnsafePickleError);
    expect(failure(reduce).message).toMatch(/byte 15: REDUCE of test\.Point is not allowed/);
    const newobj = new PickleWriter().proto().global('collections', 'OrderedDict').emptyTuple().newobj().stop().toBytes();
    expect(failure(newobj).message).toMatch(/NEWOBJ of collections\.OrderedDict is not allowed/);
    expect(failure(new PickleWriter().proto().str('eval').emptyTuple().reduce().stop().toBytes()).message).toMatch(/REDUCE of str "eval": only allowed globals/);
  });

  it('opcodes outside the weights subset (INST, OBJ, POP, EXT1, protocol-0 INT), each by name and offset', () => {
    for (const op of [0x69, 0x6f, 0x30, 0x82, 0x49]) {
      expect(failure(new PickleWriter().proto().op(op).stop().toBytes()).message).toMatch(new RegExp(`data\\.pkl byte 2: opcode 0x${op.toString(16)} is not one torch writes`));
    }
  });

  it('corrupt structure: truncation, no STOP, stack underflow across a MARK, odd SETITEMS, unknown memo, BUILD on a list', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new PickleWriter().proto().op(0x58, 10, 0, 0, 0, 0x61).toBytes(), /byte 2: needs 10 more bytes but the pickle has 1/],
      [new PickleWriter().proto().none().toBytes(), /byte 3: the pickle ends without a STOP opcode/],
      [new PickleWriter().proto().none().mark().op(0x85).stop().toBytes(), /byte 4: stack underflow/],
      [new PickleWriter().proto().emptyDict().mark().int(1).setitems().stop().toBytes(), /SETITEMS with an odd number \(1\)/],
      [new PickleWriter().proto().get(7).stop().toBytes(), /memo entry 7 was never stored/],
      [new PickleWriter().proto().emptyList().emptyDict().build().stop().toBytes(), /BUILD on list \(0 items\) is not allowed/],
      [new PickleWriter().proto().emptyList().put(0).emptyList().get(0).emptyDict().op(0x73).stop().toBytes(), /SETITEM on list/],
      [new PickleWriter().proto().emptyDict().emptyList().int(1).op(0x73).stop().toBytes(), /a dict key of list \(0 items\)/],
      [new PickleWriter().proto(6).stop().toBytes(), /protocol 6 is newer/],
      [new PickleWriter().proto().op(0x58, 2, 0, 0, 0, 0xc3, 0x28).stop().toBytes(), /a string of 2 bytes is not valid UTF-8/],
    ];
    for (const [pickle, message] of cases) expect(failure(pickle).message).toMatch(message);
  });

  it('counts objects: a pickle that builds more than PICKLE_LIMITS.objects containers is refused, not allocated', () => {
    // EMPTY_LIST then APPEND, PICKLE_LIMITS.objects times: the stack stays flat while the lists pile up.
    const count = PICKLE_LIMITS.objects;
    const pickle = new Uint8Array(3 + 2 * count + 1);
    pickle.set([0x80, 2, 0x5d]);
    for (let i = 0; i < count; i++) pickle.set([0x5d, 0x61], 3 + 2 * i);
    pickle[pickle.length - 1] = 0x2e;
    expect(failure(pickle).message).toMatch(new RegExp(`byte ${1 + 2 * count}: more than ${count} objects`));
  });
});
