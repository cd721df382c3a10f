import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError, SeededRandom } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExportPrecision } from '../export/export-precision.js';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { fixtureTowerModels, readReference, rowCosines } from '../testing/fixtures.js';
import { type CalibrationBatch, calibrationRanges } from './calibration-ranges.js';
import { float16Weights } from './float16-weights.js';
import { quantizeStaticInt8, staticInt8Plan } from './quantize-static-int8.js';

// Static int8 (QDQ) of the rn-tiny fixture's ResNet trunk against the float32 export of the same weights.
// rn-tiny (fixtures/models/rn-tiny/README.md): ModifiedResNet, layers (1, 2, 1, 1), width 16, 64 px. Counted
// from clip/model.py: 3 stem convs + 3 per Bottleneck x 5 + 4 downsample convs (stage 1 changes 16 -> 64
// channels, the others stride 2) = 22 Conv; 5 residual Adds; 1 stem AvgPool + 2 per strided block (main path
// and downsample branch) x 3 = 7 AveragePool; Relus: 3 stem + 2 in each block + 1 after each Add = 18.
// Calibrated on 16 seeded N(0, 1) images, evaluated on the fixture's own 4 randn inputs (not calibrated on).
// Tolerance: cosine >= 0.95 to float32, not issue 15's 0.99: this random 16-wide tower (random BatchNorm
// statistics too) is unusually sensitive to int8 convolutions as such. Its convolutions quantised the
// dynamic way (quantizeInt8 with weights ['conv'], activation ranges per batch) reach only 0.978 min, and this
// static form 0.978 min too (measured); the trained Fashion-MNIST ResNet reaches 0.994 min (README, "int8").

const CONVS = 22;
const ADDS = 5;
const POOLS = 7;
const RELUS = 18;

function calibration(size: number): CalibrationBatch[] {
  const rng = new SeededRandom(15);
  return Array.from({ length: 4 }, () => ({ data: rng.normalArray(4 * 3 * size * size), dims: [4, 3, size, size] }));
}

const opCount = (model: OnnxModel, op: string) => model.graph.nodes.filter((n) => n.opType === op).length;

/** The embeddings of the fixture's pixels, and the kernels onnxruntime ran (its profiler's op names, with counts), all optimisations on. */
async function run(path: string, pixels: Float32Array, dims: readonly number[], profiles: string): Promise<{ embeds: Float32Array; kernels: Map<string, number> }> {
  const prefix = join(profiles, `${Math.random().toString(36).slice(2)}-`);
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: prefix, logSeverityLevel: 3 });
  const embeds = (await session.run({ pixel_values: new ort.Tensor('float32', pixels, [...dims]) })).image_embeds.data as Float32Array;
  session.endProfiling();
  await session.release();
  const file = readdirSync(profiles).find((name) => join(profiles, name).startsWith(prefix));
  const events = JSON.parse(readFileSync(join(profiles, file!), 'utf8')) as { cat: string; name: string; args: { op_name?: string } }[];
  const kernels = new Map<string, number>();
  for (const event of events) {
    const op = event.args.op_name;
    if (event.cat === 'Node' && event.name.endsWith('_kernel_time') && op) kernels.set(op, (kernels.get(op) ?? 0) + 1);
  }
  return { embeds, kernels };
}

describe('quantizeStaticInt8 on the rn-tiny ResNet image tower', () => {
  const folder = mkdtempSync(join(tmpdir(), 'clipkit-static-int8-'));
  let float32: OnnxModel;
  let quantized: OnnxModel;
  const results = {} as Record<'float32' | 'static', { embeds: Float32Array; kernels: Map<string, number> }>;

  beforeAll(async () => {
    float32 = (await fixtureTowerModels('rn-tiny')).image;
    quantized = await withExportPrecision(float32, { quantize: 'int8', calibration: calibration(64) });
    const { pixelValues } = await readReference('rn-tiny');
    for (const [name, model] of [
      ['float32', float32],
      ['static', quantized],
    ] as const) {
      const path = join(folder, `${name}.onnx`);
      await writeOnnxModel(path, model);
      results[name] = await run(path, pixelValues.data as Float32Array, pixelValues.shape, folder);
    }
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('plans the whole trunk: every Conv, AveragePool and residual Add, every Relu folded, the input and each Conv/Add output calibrated', () => {
    const plan = staticInt8Plan(float32.graph);
    expect([opCount(float32, 'Conv'), opCount(float32, 'Add') - 2, opCount(float32, 'AveragePool'), opCount(float32, 'Relu')]).toEqual([CONVS, ADDS, POOLS, RELUS]); // + 2 Adds in the attention pool
    expect(plan.nodes.size).toBe(CONVS + ADDS + POOLS);
    expect(plan.folded.size).toBe(RELUS);
    expect(plan.tensors).toHaveLength(1 + CONVS + ADDS);
    expect(plan.tensors[0]).toBe('pixel_values');
  });

  it('writes the trunk in QDQ form: int8 weights and int32 biases behind DequantizeLinear, one Q -> DQ per activation', () => {
    expect(opCount(quantized, 'Conv')).toBe(CONVS + POOLS); // the pools as depthwise convolutions (averagePoolsAsConvs)
    expect(opCount(quantized, 'AveragePool') + opCount(quantized, 'Relu')).toBe(0);
    expect(opCount(quantized, 'QuantizeLinear')).toBe(1 + CONVS + ADDS + POOLS);
    expect(opCount(quantized, 'DequantizeLinear')).toBe(1 + CONVS + ADDS + POOLS + (CONVS + POOLS) + CONVS); // + each Conv's weight, + the biases (pools have none)
    const types = (t: string) => quantized.graph.initializers.filter((i) => i.dataType === t).length;
    expect(types('int32')).toBe(2 * CONVS); // biases and their zero points
    expect(types('uint8')).toBe(1 + CONVS + ADDS + POOLS); // one zero point per calibrated activation
    expect(JSON.parse(quantized.metadata['clipkit.int8.static'])).toMatchObject({ nodes: CONVS + ADDS + POOLS, calibratedOn: '16 inputs' });
    expect(quantized.metadata['clipkit.weights']).toBe('int8-static');
  });

  it('runs on onnxruntime integer kernels: every convolution and pool a QLinearConv, every Add a QLinearAdd', () => {
    const { kernels } = results.static;
    expect(results.float32.kernels.get('Conv') ?? results.float32.kernels.get('FusedConv')).toBeGreaterThan(0); // the float export's, for contrast
    expect(kernels.get('QLinearConv')).toBe(CONVS + POOLS);
    expect(kernels.get('QLinearAdd')).toBe(ADDS);
    for (const float of ['Conv', 'FusedConv', 'AveragePool', 'Relu']) expect(kernels.has(float)).toBe(false);
    expect(kernels.get('QuantizeLinear')).toBe(1); // the pixels, once; the trunk's output is dequantised once for the attention pool
  });

  it('keeps the quantisation parameters float32 under float16 storage, and the groups still fuse', async () => {
    // minValues 16: even the per-channel scales (16 to 256 values here) would be stored as float16 otherwise.
    const half = float16Weights(quantized, { minValues: 16 });
    const widened = new Map(half.graph.nodes.filter((n) => n.opType === 'Cast').map((n) => [n.outputs[0], n.inputs[0]]));
    const parameters = new Set(
      half.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear').flatMap((n) => n.inputs.slice(1).map((i) => widened.get(i) ?? i)),
    );
    expect(half.graph.initializers.filter((t) => parameters.has(t.name) && t.dataType === 'float16')).toEqual([]);
    expect(half.graph.initializers.some((t) => t.dataType === 'float16')).toBe(true);
    const path = join(folder, 'static-float16.onnx');
    await writeOnnxModel(path, half);
    const { pixelValues } = await readReference('rn-tiny');
    const { kernels } = await run(path, pixelValues.data as Float32Array, pixelValues.shape, folder);
    expect(kernels.get('QLinearConv')).toBe(CONVS + POOLS);
    expect(kernels.get('QLinearAdd')).toBe(ADDS);
  });

  it('gives embeddings with cosine >= 0.95 to float32 on inputs it was not calibrated on', () => {
    const cosines = rowCosines(results.static.embeds, results.float32.embeds, results.float32.embeds.length / 4);
    expect(cosines).toHaveLength(4);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('static int8 on a tower with no convolutions (rn-tiny text)', () => {
  it('plans nothing, so calibration leaves the dynamic int8 export as it was', async () => {
    const text = (await fixtureTowerModels('rn-tiny')).text;
    expect(staticInt8Plan(text.graph).nodes.size).toBe(0);
    const [dynamic, calibrated] = [await withExportPrecision(text, { quantize: 'int8' }), await withExportPrecision(text, { quantize: 'int8', calibration: calibration(4) })];
    expect(calibrated.graph).toEqual(dynamic.graph);
    expect(calibrated.metadata['clipkit.int8.static']).toBeUndefined();
  });
});

describe('static int8 errors', () => {
  it('names a tensor with no calibrated range, and refuses calibration without int8 or with no batches', async () => {
    const image = (await fixtureTowerModels('rn-tiny')).image;
    const plan = staticInt8Plan(image.graph);
    const ranges = await calibrationRanges(image, plan.tensors.slice(1), calibration(64).slice(0, 1));
    expect(() => quantizeStaticInt8(image, plan, ranges, '4 inputs')).toThrow(
      new ClipkitError('static int8: no calibrated range for "pixel_values"; calibrate the tensors staticInt8Plan lists'),
    );
    await expect(withExportPrecision(image, { calibration: calibration(64) })).rejects.toThrow(/add --quantize int8/);
    await expect(withExportPrecision(image, { quantize: 'int8', calibration: [] })).rejects.toThrow(/no batches of inputs/);
  });
});
