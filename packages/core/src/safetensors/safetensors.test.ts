import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors.js';
import { type Dtype, type HostTensor, toFloat32, toInt32 } from './dtypes.js';
import { readSafetensors, SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './write-safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-safetensors-'));
const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

/** A file of an 8-byte little-endian header length, the header text and the data bytes. */
function rawFile(name: string, header: string | object | Buffer, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): string {
  const json = Buffer.isBuffer(header) ? header : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, json, data]));
  return path;
}

async function rejection(path: string): Promise<SafetensorsError> {
  try {
    const file = await SafetensorsFile.open(path);
    await file.close();
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    return error as SafetensorsError;
  }
  throw new Error(`${path} was accepted`);
}

afterAll(() => {
  // Atomic writes leave no temporary files behind.
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

describe('safetensors round trip', () => {
  const samples: Record<Dtype, HostTensor> = {
    F64: { dtype: 'F64', shape: [2, 2], data: Float64Array.from([1.5, -2, 1e300, Math.PI]) },
    F32: { dtype: 'F32', shape: [3], data: Float32Array.from([0.1, -0, 3.4e38]) },
    F16: { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
    BF16: { dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0x4049]) },
    I64: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 62n), 49407n]) },
    I32: { dtype: 'I32', shape: [1, 2], data: Int32Array.from([-2147483648, 7]) },
    I16: { dtype: 'I16', shape: [2], data: Int16Array.from([-32768, 32767]) },
    I8: { dtype: 'I8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
    U8: { dtype: 'U8', shape: [1, 1, 1], data: Uint8Array.from([255]) },
    BOOL: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
  };

  it('writes and reads back every dtype, scalars, empty tensors and metadata', async () => {
    const tensors = { ...samples, scalar: { dtype: 'F32', shape: [], data: Float32Array.from([7]) }, empty: { dtype: 'I8', shape: [0, 3], data: new Int8Array(0) } } as Record<
      string,
      HostTensor
    >;
    const path = join(dir, 'all.safetensors');
    await writeSafetensors(path, tensors, { format: 'pt', note: 'round trip' });
    const file = await SafetensorsFile.open(path);
    expect(file.metadata).toEqual({ format: 'pt', note: 'round trip' });
    expect(file.names.sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) expect(await file.read(name)).toEqual(t);
    await file.close();
    // The reference layout: header padded to 8 bytes, so every tensor starts aligned to its element size.
    const bytes = readFileSync(path);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
  });

  it('widens half floats and bfloat16 to float32 (hand-worked bit patterns)', () => {
    expect(Array.from(toFloat32(samples.F16))).toEqual([1, -2]);
    expect(Array.from(toFloat32(samples.BF16))).toEqual([1, 3.140625]);
    expect(Array.from(toFloat32({ dtype: 'F16', shape: [3], data: Uint16Array.from([0x0001, 0x7c00, 0x3555]) }))).toEqual([2 ** -24, Infinity, Math.fround(0.333251953125)]);
  });

  it('narrows int64 ids to int32 and refuses values that do not fit', () => {
    expect(Array.from(toInt32(samples.I64.dtype === 'I64' ? { ...samples.I64, data: BigInt64Array.from([49406n, 0n]) } : samples.I64, 'input_ids'))).toEqual([49406, 0]);
    expect(() => toInt32(samples.I64, 'input_ids')).toThrow(/input_ids: value -4611686018427387904 at index 0 does not fit in int32/);
    expect(() => toInt32(samples.F32, 'input_ids')).toThrow(/expected an integer dtype/);
  });

  it('refuses to write data that does not match its shape or dtype', async () => {
    await expect(writeSafetensors(join(dir, 'bad.safetensors'), { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).rejects.toThrow(
      /\(tensor "w"\): shape \[2,2\] has 4 elements but the data has 3/,
    );
    await expect(writeSafetensors(join(dir, 'bad.safetensors'), { w: { dtype: 'F32', shape: [1], data: new Float64Array(1) } })).rejects.toThrow(
      /dtype F32 needs a Float32Array, got Float64Array/,
    );
  });
});

describe('reference fixtures', () => {
  // Shapes follow from the fixture READMEs: ViT width 128, patch 8 on 32x32 (16 patches + class = 17 positions),
  // text width 64, vocab 1000, embed 64, 2 layers each; ModifiedResNet stem width 16 -> conv1 has 8 outputs.
  const expectations: Record<string, Record<string, number[]>> = {
    'vit-b-tiny-quickgelu': {
      'visual.conv1.weight': [128, 3, 8, 8],
      'visual.positional_embedding': [17, 128],
      'visual.proj': [128, 64],
      'token_embedding.weight': [1000, 64],
      'transformer.resblocks.1.attn.in_proj_weight': [192, 64],
      text_projection: [64, 64],
    },
    'vit-b-tiny-gelu': { 'visual.class_embedding': [128], 'visual.transformer.resblocks.1.mlp.c_fc.weight': [512, 128], positional_embedding: [77, 64] },
    'rn-tiny': {
      'visual.conv1.weight': [8, 3, 3, 3],
      'visual.attnpool.positional_embedding': [5, 512],
      'visual.layer2.1.conv2.weight': [32, 32, 3, 3],
      'visual.bn1.num_batches_tracked': [1],
    },
    'hf/vit-b-tiny-quickgelu': {
      'vision_model.embeddings.patch_embedding.weight': [128, 3, 8, 8],
      'vision_model.pre_layrnorm.weight': [128],
      'text_model.encoder.layers.0.self_attn.q_proj.weight': [64, 64],
      'visual_projection.weight': [64, 128],
    },
  };

  it.each(Object.entries(expectations))('reads %s/model.safetensors with the right names, shapes and values', async (model, shapes) => {
    const tensors = await readSafetensors(`${FIXTURES}/${model}/model.safetensors`);
    for (const [name, shape] of Object.entries(shapes)) expect(tensors.get(name)?.shape, name).toEqual(shape);
    for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    // Every fixture model was saved with logit_scale = ln 20 (fixture READMEs).
    expect(toFloat32(tensors.get('logit_scale')!)[0]).toBeCloseTo(Math.log(20), 6);
  });
});

describe('malformed files are SafetensorsErrors naming the file and the tensor', () => {
  const f32 = (shape: number[], offsets: [number, number]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: [string, () => string, RegExp][] = [
    [
      'a file shorter than the length prefix',
      () => {
        const p = join(dir, 'short.safetensors');
        writeFileSync(p, Buffer.from([1, 2, 3]));
        return p;
      },
      /has 3 bytes; a safetensors file starts with an 8-byte header length/,
    ],
    ['a header length beyond the file', () => rawFile('beyond.safetensors', '{}', undefined, 1000n), /header length 1000 runs past the end of the file \(10 bytes\)/],
    ['a 2^60 header length', () => rawFile('huge.safetensors', '{}', undefined, 2n ** 60n), /header length 1152921504606846976 exceeds safetensors' 100000000-byte limit/],
    ['bad JSON', () => rawFile('badjson.safetensors', '{"w": {"dtype": "F32",'), /the header is not valid UTF-8 JSON/],
    ['invalid UTF-8', () => rawFile('utf8.safetensors', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])) /* {"\xff":1} */, /not valid UTF-8 JSON/],
    ['a header that is not an object', () => rawFile('array.safetensors', '[1,2]'), /the header is not a JSON object/],
    ['metadata that is not strings', () => rawFile('meta.safetensors', { __metadata__: { step: 3 } }), /__metadata__ must be an object of string values/],
    [
      'an unknown dtype',
      () => rawFile('dtype.safetensors', { w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /\(tensor "w"\): unknown dtype "F8_E4M3"/,
    ],
    [
      'negative dims',
      () => rawFile('negative.safetensors', { w: f32([-1, 4], [0, 16]) }, new Uint8Array(16)),
      /\(tensor "w"\): shape \[-1,4\] is not a list of non-negative integers/,
    ],
    [
      'a shape/size mismatch',
      () => rawFile('mismatch.safetensors', { w: f32([2, 3], [0, 16]) }, new Uint8Array(16)),
      /\(tensor "w"\): shape \[2,3\] x F32 needs 24 bytes but data_offsets span 16/,
    ],
    [
      'a shape whose size overflows',
      () => rawFile('overflow.safetensors', { w: f32([2 ** 40, 2 ** 40], [0, 0]) }),
      /\(tensor "w"\): shape \[1099511627776,1099511627776\] x F32 needs 4835703278458516698824704 bytes/,
    ],
    [
      'reversed data offsets',
      () => rawFile('reversed.safetensors', { w: f32([1], [4, 0]) }, new Uint8Array(4)),
      /\(tensor "w"\): data_offsets \[4,0\] is not a \[begin, end\] pair/,
    ],
    [
      'overlapping ranges',
      () => rawFile('overlap.safetensors', { a: f32([4], [0, 16]), b: f32([2], [8, 16]) }, new Uint8Array(16)),
      /\(tensor "b"\): data_offsets \[8, 16\] overlap those of "a" \[0, 16\]/,
    ],
    [
      'a range overlapping an earlier long one past an empty tensor',
      () => rawFile('overlap2.safetensors', { a: f32([4], [0, 16]), e: f32([0], [4, 4]), b: f32([1], [8, 12]) }, new Uint8Array(16)),
      /\(tensor "b"\).*overlap those of "a"/,
    ],
    [
      'truncated data',
      () => rawFile('truncated.safetensors', { w: f32([4], [0, 16]) }, new Uint8Array(10)),
      /\(tensor "w"\): data_offsets \[0, 16\] run past the end of the data section \(10 bytes\)/,
    ],
    ['an entry that is not an object', () => rawFile('entry.safetensors', { w: 5 }), /\(tensor "w"\): header entry is not an object/],
  ];

  it.each(cases)('rejects %s', async (_name, make, message) => {
    const path = make();
    const error = await rejection(path);
    expect(error.message.startsWith(path)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('names the tensor that is not there, and the missing file', async () => {
    const file = await SafetensorsFile.open(`${FIXTURES}/rn-tiny/inputs.safetensors`);
    await expect(file.read('pixel_value')).rejects.toThrow(
      /\(tensor "pixel_value"\): no such tensor; the file holds 2 tensors \((input_ids, pixel_values|pixel_values, input_ids)\)/,
    );
    await file.close();
    await expect(SafetensorsFile.open(join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors: cannot open the file/);
  });
});
