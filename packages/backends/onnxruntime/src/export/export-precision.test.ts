import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { fixtureTowerModels, type Reference, readReference, rowCosines } from '../testing/fixtures.js';
import type { Tower } from '../tower.js';
import { checkExportPrecision, type ExportPrecision, withExportPrecision } from './export-precision.js';

// int8 and float16 exports of the fixture models against the float32 export of the same weights, run in
// onnxruntime on the fixtures' 4 inputs. Tolerances on the cosine of each embedding to float32's:
// - int8 >= 0.99 (issue 15's aim): int8 per output channel rounds each weight by at most scale/2 = max|w|/254
//   and the activations by their range/510, a relative error of about 1% per product at worst, not compounded
//   into a direction change of more than 1 - 0.99;
// - float16 >= 0.9999: half precision rounds each weight by at most 2^-11 relative (4.9e-4) and the graph
//   computes in float32, so an embedding moves by ~1e-3 relative at most and its cosine by ~(1e-3)^2/2.

const PRECISIONS = { float32: {}, int8: { quantize: 'int8' }, float16: { dtype: 'float16' }, 'int8+float16': { quantize: 'int8', dtype: 'float16' } } as const;
type PrecisionName = keyof typeof PRECISIONS;
const IO = { image: ['pixel_values', 'image_embeds'], text: ['input_ids', 'text_embeds'] } as const;

async function embeddings(path: string, tower: Tower, reference: Reference): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path);
  const input = tower === 'image' ? reference.pixelValues : reference.inputIds;
  const tensor = new ort.Tensor(tower === 'image' ? 'float32' : 'int64', input.data as Float32Array | BigInt64Array, [...input.shape]);
  const out = (await session.run({ [IO[tower][0]]: tensor }))[IO[tower][1]];
  await session.release();
  return out.data as Float32Array;
}

const opCounts = (model: OnnxModel) => {
  const counts = new Map<string, number>();
  for (const node of model.graph.nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return counts;
};

describe.each([
  ['vit-b-tiny-quickgelu', 'image'],
  ['vit-b-tiny-quickgelu', 'text'],
  ['rn-tiny', 'image'],
] as const)('%s %s tower stored as int8 / float16', (dir, tower) => {
  const folder = mkdtempSync(join(tmpdir(), 'clipkit-precision-'));
  const models = {} as Record<PrecisionName, OnnxModel>;
  const outputs = {} as Record<PrecisionName, Float32Array>;
  const sizes = {} as Record<PrecisionName, number>;
  let dim: number;

  beforeAll(async () => {
    const float32 = (await fixtureTowerModels(dir))[tower];
    const reference = await readReference(dir);
    for (const [name, precision] of Object.entries(PRECISIONS) as [PrecisionName, ExportPrecision][]) {
      models[name] = await withExportPrecision(float32, precision);
      const path = join(folder, `${name}.onnx`);
      await writeOnnxModel(path, models[name]);
      sizes[name] = statSync(path).size;
      outputs[name] = await embeddings(path, tower, reference);
    }
    dim = outputs.float32.length / 4;
  });

  it.each([
    ['int8', 0.99],
    ['float16', 0.9999],
    ['int8+float16', 0.99],
  ] as const)('%s: loads in onnxruntime and gives embeddings with cosine >= %d to float32', (name, tolerance) => {
    const cosines = rowCosines(outputs[name], outputs.float32, dim);
    expect(cosines).toHaveLength(4);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(tolerance);
  });

  it('writes smaller files: float16 at most 55% of float32, int8 about 3 bytes smaller per int8 weight', () => {
    expect(sizes.float16).toBeLessThanOrEqual(0.55 * sizes.float32);
    expect(sizes['int8+float16']).toBeLessThan(sizes.float16);
    // Each weight quantised saves 3 bytes, less its channel's 4-byte scale (1/16 byte per weight in these
    // 64-wide layers) and the bytes of the nodes that dequantise: at least 2.8 bytes a weight.
    const int8Values = models.int8.graph.initializers.filter((t) => t.dataType === 'int8').reduce((n, t) => n + t.data.length, 0);
    expect(int8Values).toBeGreaterThan(0);
    expect(sizes.float32 - sizes.int8).toBeGreaterThanOrEqual(2.8 * int8Values);
  });

  it('int8: products become DynamicQuantizeLinear + MatMulInteger on int8 weights, convolutions stay float', () => {
    const float32 = opCounts(models.float32);
    const int8 = opCounts(models.int8);
    expect(int8.get('DynamicQuantizeLinear')).toBeGreaterThan(0);
    expect(int8.get('MatMulInteger')).toBe((float32.get('Gemm') ?? 0) + (float32.get('MatMul') ?? 0) - (int8.get('Gemm') ?? 0) - (int8.get('MatMul') ?? 0));
    expect(int8.get('MatMulInteger')).toBeGreaterThan(0);
    expect(int8.has('ConvInteger')).toBe(false);
    expect(int8.get('Conv') ?? 0).toBe(float32.get('Conv') ?? 0);
    const int8Weights = models.int8.graph.initializers.filter((t) => t.dataType === 'int8');
    expect(int8Weights.length).toBe(int8.get('MatMulInteger')! + (tower === 'text' ? 1 : 0)); // + the token embedding
  });

  it('float16: every float32 weight of 1024 values or more is stored as float16 and widened by a Cast', () => {
    const large = (model: OnnxModel, dataType: string) => model.graph.initializers.filter((t) => t.dataType === dataType && t.data.length >= 1024);
    expect(large(models.float16, 'float32')).toEqual([]);
    expect(large(models.float16, 'float16').length).toBe(large(models.float32, 'float32').length);
    expect(opCounts(models.float16).get('Cast')).toBe(large(models.float32, 'float32').length);
  });
});

describe('checkExportPrecision', () => {
  it('rejects an unknown quantisation or dtype with the option named', () => {
    expect(() => checkExportPrecision({ quantize: 'int4' as never })).toThrow(ClipkitError);
    expect(() => checkExportPrecision({ dtype: 'bfloat16' as never })).toThrow(/--dtype bfloat16/);
    expect(checkExportPrecision({})).toEqual({ quantize: undefined, dtype: 'float32' });
  });
});
