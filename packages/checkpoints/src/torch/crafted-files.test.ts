import { truncateSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckpointError, UnsafePickleError } from '../checkpoint-error.js';
import { readAll, writeTemp } from '../checkpoint-fixtures.test-support.js';
import { PickleWriter } from '../testing/pickle-writer.js';
import { type TensorSpec, type TorchFileSpec, torchFileChunks, writeTensor } from '../testing/torch-file.js';
import { type ZipWriterOptions, zipChunks } from '../testing/zip-writer.js';
import { openTorchCheckpoint } from './torch-checkpoint.js';

// Files written opcode by opcode (testing/) for what the fixtures do not hold: zip64-only sizes, big-endian
// records, strided 8-byte views, hostile persistent ids and object graphs. Expected values follow from the
// definitions (element [i, j] of a view is storage[offset + i * stride0 + j * stride1]).

const f32 = (values: readonly number[]) => new Uint8Array(Float32Array.from(values).buffer);
const f64 = (values: readonly number[]) => new Uint8Array(Float64Array.from(values).buffer);
const i16 = (values: readonly number[]) => new Uint8Array(Int16Array.from(values).buffer);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `{name: tensor, ...}` as torch.save pickles a state dict (OrderedDict, SETITEMS). */
function stateDict(tensors: Record<string, TensorSpec>, more?: (p: PickleWriter) => void): Uint8Array {
  const pickle = new PickleWriter().proto().orderedDict().mark();
  for (const [name, spec] of Object.entries(tensors)) writeTensor(pickle.str(name), spec);
  more?.(pickle);
  return pickle.setitems().stop().toBytes();
}

function torchFile(spec: TorchFileSpec, options?: ZipWriterOptions): string {
  return writeTemp(torchFileChunks(spec, options));
}

async function readFile(path: string) {
  const checkpoint = await openTorchCheckpoint(path);
  try {
    return await readAll(checkpoint);
  } finally {
    await checkpoint.close();
  }
}

async function refusal(path: string): Promise<CheckpointError> {
  try {
    await (await openTorchCheckpoint(path)).close();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error(`${path} was accepted`);
}

const f32Storage = (key: string, numel: number) => ({ type: 'FloatStorage', key, numel });

describe('layouts the reader must get right', () => {
  it('reads sizes and offsets that only the zip64 fields hold (files over 4 GiB)', async () => {
    const path = torchFile(
      { pickle: stateDict({ w: { storage: f32Storage('0', 6), shape: [2, 3] } }), storages: new Map([['0', f32([1, 2, 3, 4, 5, 6])]]) },
      { zip64Fields: true },
    );
    const w = (await readFile(path)).get('w')!;
    expect(w.shape).toEqual([2, 3]);
    expect(Array.from(w.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('copies non-contiguous views of 8-, 4- and 2-byte elements: transposed, permuted 3-d, every other element', async () => {
    // permuted: a [4, 3, 2] contiguous tensor (strides 6, 2, 1) permuted (2, 1, 0) -> shape [2, 3, 4], strides [1, 2, 6].
    const permuted = [] as number[];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) permuted.push(i + 2 * j + 6 * k);
    const path = torchFile({
      pickle: stateDict({
        transposed: { storage: { type: 'DoubleStorage', key: '0', numel: 6 }, shape: [3, 2], stride: [1, 3] },
        permuted: { storage: f32Storage('1', 24), shape: [2, 3, 4], stride: [1, 2, 6] },
        odd: { storage: { type: 'ShortStorage', key: '2', numel: 8 }, offset: 1, shape: [4], stride: [2] },
        column: { storage: f32Storage('1', 24), offset: 5, shape: [4, 1], stride: [6, 1] },
      }),
      storages: new Map([
        ['0', f64([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])],
        ['1', f32(range(24))],
        ['2', i16([0, -1, 2, -3, 4, -5, 6, -7])],
      ]),
    });
    const tensors = await readFile(path);
    expect(Array.from(tensors.get('transposed')!.data as Float64Array)).toEqual([0.5, 3.5, 1.5, 4.5, 2.5, 5.5]);
    expect(Array.from(tensors.get('permuted')!.data as Float32Array)).toEqual(permuted);
    expect(Array.from(tensors.get('odd')!.data as Int16Array)).toEqual([-1, -3, -5, -7]);
    expect(Array.from(tensors.get('column')!.data as Float32Array)).toEqual([5, 11, 17, 23]);
  });

  it('byte-swaps records of a big-endian writer (byteorder "big", torch >= 2.0) and refuses other byte orders', async () => {
    const big = new Uint8Array(12);
    const view = new DataView(big.buffer);
    for (const [i, v] of [1.5, -2, 1e-3].entries()) view.setFloat32(4 * i, v, false);
    const spec = { pickle: stateDict({ w: { storage: f32Storage('0', 3), shape: [3] } }), storages: new Map([['0', big]]) };
    expect(Array.from((await readFile(torchFile({ ...spec, byteorder: 'big' }))).get('w')!.data as Float32Array)).toEqual([1.5, -2, Math.fround(1e-3)]);
    expect((await refusal(torchFile({ ...spec, byteorder: 'middle' }))).message).toMatch(/archive\/byteorder says "middle"; expected "little" or "big"/);
  });

  it('reads a deflated data.pkl, checked against its CRC-32', async () => {
    const pickle = stateDict({ w: { storage: f32Storage('0', 2), shape: [2] } });
    const path = writeTemp(
      zipChunks([
        { name: 'archive/data.pkl', data: pickle, deflate: true },
        { name: 'archive/data/0', data: f32([7, 8]) },
      ]),
    );
    expect(Array.from((await readFile(path)).get('w')!.data as Float32Array)).toEqual([7, 8]);
  });

  it('exposes tied weights under both names, Parameters as their tensor, torch 2.x metadata ignored', async () => {
    const storage = f32Storage('0', 4);
    const pickle = new PickleWriter().proto().orderedDict().mark().str('a');
    writeTensor(pickle, { storage, shape: [4] })
      .put(0)
      .str('b')
      .get(0);
    // _rebuild_parameter_with_state(tensor, True, OrderedDict(), {}) around a 7-argument _rebuild_tensor_v2 (metadata dict).
    pickle.str('p').global('torch._utils', '_rebuild_parameter_with_state').mark();
    pickle.global('torch._utils', '_rebuild_tensor_v2').mark().mark().str('storage').global('torch', 'FloatStorage').str('0').str('cuda:0').int(4).tuple().persid();
    pickle.int(2).ints([2]).ints([1]).bool(true).orderedDict().emptyDict().tuple().reduce();
    pickle.bool(true).orderedDict().emptyDict().tuple().reduce();
    const path = torchFile({ pickle: pickle.setitems().stop().toBytes(), storages: new Map([['0', f32([1, 2, 3, 4])]]) });
    const tensors = await readFile(path);
    expect(Array.from(tensors.get('a')!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(tensors.get('b')!.data).toEqual(tensors.get('a')!.data);
    expect(Array.from(tensors.get('p')!.data as Float32Array)).toEqual([3, 4]);
  });

  it('walks TorchScript module records and type tags only in archives with constants.pkl or code/', async () => {
    const pickle = new PickleWriter().proto().global('__torch__.model', 'Net').emptyTuple().newobj().emptyDict().mark();
    // Typed list and dict attributes as torch.jit.save writes them (checked against torch 1.13's output).
    pickle.str('sizes').global('torch.jit._pickle', 'build_intlist').mark().emptyList().mark().int(1).int(2).appends().tuple().reduce();
    pickle.str('table').global('torch.jit._pickle', 'restore_type_tag').emptyDict().str('Dict[str, float]').op(0x86).reduce();
    pickle.str('training').bool(false).str('fc').global('__torch__.torch.nn.modules.linear', 'Linear').emptyTuple().newobj().emptyDict().mark();
    writeTensor(pickle.str('weight'), { storage: f32Storage('0', 2), shape: [1, 2] });
    pickle.setitems().build().setitems().build().stop();
    const spec = { pickle: pickle.toBytes(), storages: new Map([['0', f32([3, 4])]]) };
    const path = torchFile({ ...spec, extra: [{ name: 'constants.pkl', data: new PickleWriter().proto().emptyTuple().stop().toBytes() }] });
    const checkpoint = await openTorchCheckpoint(path);
    expect(checkpoint.format).toBe('torchscript');
    expect([...checkpoint.entries.keys()]).toEqual(['fc.weight']);
    await checkpoint.close();
    const error = await refusal(torchFile(spec));
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect(error.message).toMatch(/global __torch__\.model\.Net is not allowed \(TorchScript classes and type tags are accepted only in TorchScript archives/);
  });

  it('stops reading lazily: a record cut after open is an error at read time', async () => {
    const path = torchFile({ pickle: stateDict({ w: { storage: f32Storage('0', 1024), shape: [1024] } }), storages: new Map([['0', f32(range(1024))]]) });
    const checkpoint = await openTorchCheckpoint(path);
    truncateSync(path, 200);
    await expect(checkpoint.read('w')).rejects.toThrow(/archive\.pt: bytes \d+\.\.\d+ run past the end of the file/);
    await checkpoint.close();
  });
});

describe('refused files', () => {
  const oneTensor = (storage: TensorSpec['storage'], shape: number[], more: Partial<TensorSpec> = {}) => stateDict({ w: { storage, shape, ...more } });
  const four = new Map([['0', f32([1, 2, 3, 4])]]);
  const cases: [string, () => string, RegExp][] = [
    [
      'a legacy (torch < 1.6) file',
      () => writeTemp([Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e])]),
      /legacy \(torch < 1\.6, not zip\)/,
    ],
    ['a zip without data.pkl', () => writeTemp(zipChunks([{ name: 'archive/weights', data: f32([1]) }])), /a zip without <folder>\/data\.pkl/],
    [
      'two pickles',
      () =>
        writeTemp(
          zipChunks([
            { name: 'a/data.pkl', data: new Uint8Array(1) },
            { name: 'b/data.pkl', data: new Uint8Array(1) },
          ]),
        ),
      /several pickles \(a\/data\.pkl, b\/data\.pkl\)/,
    ],
    [
      'a storage key leading out of data/',
      () => torchFile({ pickle: oneTensor({ type: 'FloatStorage', key: '../data.pkl', numel: 4 }, [4]), storages: four }),
      /storage key str "\.\.\/data\.pkl" does not name a record in archive\/data\//,
    ],
    ['a storage key without a record', () => torchFile({ pickle: oneTensor(f32Storage('7', 4), [4]), storages: four }), /storage 7 has no record archive\/data\/7/],
    [
      'a complex storage',
      () => torchFile({ pickle: oneTensor({ type: 'ComplexFloatStorage', key: '0', numel: 2 }, [2]), storages: four }),
      /global torch\.ComplexFloatStorage is not allowed/,
    ],
    [
      'one key with two sizes',
      () => torchFile({ pickle: stateDict({ a: { storage: f32Storage('0', 4), shape: [4] }, b: { storage: f32Storage('0', 2), shape: [2] } }), storages: four }),
      /storage 0 is 4 x torch\.FloatStorage and also 2 x torch\.FloatStorage/,
    ],
    [
      'a stride-0 view materialising past the limit',
      () => torchFile({ pickle: oneTensor(f32Storage('0', 4), [2 ** 25], { stride: [0] }), storages: four }),
      /would take 134217728 bytes/,
    ],
  ];
  it.each(cases)('%s', async (_, make, message) => {
    const path = make();
    const error = await refusal(path);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('a compressed storage record', async () => {
    const path = writeTemp(
      zipChunks([
        { name: 'archive/data.pkl', data: stateDict({ w: { storage: f32Storage('0', 4), shape: [4] } }) },
        { name: 'archive/data/0', data: f32([1, 2, 3, 4]), deflate: true },
      ]),
    );
    expect((await refusal(path)).message).toMatch(/storage record archive\/data\/0 is compressed/);
  });

  it('object graphs that would not end: a list inside itself, a container shared 2^40 times over, 1001 nested lists', async () => {
    const cycle = new PickleWriter().proto().emptyList().put(0).get(0).op(0x61).stop().toBytes();
    expect((await refusal(torchFile({ pickle: cycle, storages: new Map() }))).message).toMatch(/archive\.pt: "0" contains itself: the object graph has a cycle/);
    // l0 = [t]; l(i+1) = [li, li]: 40 levels name 2^40 paths in a pickle of a few hundred bytes.
    const shared = new PickleWriter().proto().emptyList().mark();
    writeTensor(shared, { storage: f32Storage('0', 4), shape: [4] }).appends();
    for (let i = 0; i < 40; i++) shared.put(i).emptyList().mark().get(i).get(i).appends();
    const blowUp = shared.stop().toBytes();
    expect((await refusal(torchFile({ pickle: blowUp, storages: four }))).message).toMatch(/the object graph has more than \d+ paths/);
    const deep = new PickleWriter().proto();
    for (let i = 0; i < 1001; i++) deep.emptyList();
    for (let i = 0; i < 1000; i++) deep.op(0x61);
    expect((await refusal(torchFile({ pickle: deep.stop().toBytes(), storages: new Map() }))).message).toMatch(/containers nest deeper than 1000 levels/);
  });

  it('a pickle without tensors', async () => {
    const empty = new PickleWriter().proto().emptyDict().str('epoch').int(3).op(0x73).stop().toBytes();
    expect((await refusal(torchFile({ pickle: empty, storages: new Map() }))).message).toMatch(/no tensors in the checkpoint, which is dict \(1 items\)/);
  });

  it('a persistent id that is not a storage tuple, and bad _rebuild_tensor_v2 arguments', async () => {
    const notStorage = new PickleWriter().proto().mark().str('module').str('os').tuple().persid().stop().toBytes();
    expect((await refusal(torchFile({ pickle: notStorage, storages: new Map() }))).message).toMatch(/data\.pkl byte 2\d: persistent id tuple \(2 items\) is not \('storage'/);
    const floatSize = new PickleWriter().proto().global('torch._utils', '_rebuild_tensor_v2').mark();
    floatSize.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(4).tuple().persid();
    floatSize.int(0).mark().float(4).tuple().ints([1]).bool(false).orderedDict().tuple().reduce().stop();
    expect((await refusal(torchFile({ pickle: floatSize.toBytes(), storages: four }))).message).toMatch(/size\[0\] is float 4, not a non-negative integer/);
  });
});
