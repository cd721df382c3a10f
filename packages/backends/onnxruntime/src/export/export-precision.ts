import { ClipkitError } from '@clipkit/core';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { averagePoolsAsConvs } from '../transform/average-pools-as-convs.js';
import { type CalibrationBatch, calibrationRanges } from '../transform/calibration-ranges.js';
import { float16Weights } from '../transform/float16-weights.js';
import { quantizeInt8 } from '../transform/quantize-int8.js';
import { quantizeStaticInt8, staticInt8Plan } from '../transform/quantize-static-int8.js';

/** How an export stores its weights (`clipkit export-onnx --quantize int8`, `--dtype float16`, `--calibration-images`). */
export interface ExportPrecision {
  /** "int8": the products' weights as int8 (quantizeInt8 with its measured defaults). Default none. */
  quantize?: 'int8';
  /** "float16": the float32 weights left (all of them, or those int8 did not take) stored as float16. Default "float32". */
  dtype?: 'float32' | 'float16';
  /**
   * With int8: batches of the tower's input (preprocessed pixels) from which the convolution trunk's activation
   * ranges are measured, so its convolutions run on int8 too (quantizeStaticInt8). Without it, or on a tower
   * with no convolutions, convolutions stay float32.
   */
  calibration?: readonly CalibrationBatch[];
}

const QUANTIZE = ['int8'] as const;
const DTYPES = ['float32', 'float16'] as const;

/** `precision` checked, so a typo in a command's option is an error rather than a float32 export. */
export function checkExportPrecision(precision: ExportPrecision): {
  quantize: 'int8' | undefined;
  dtype: 'float32' | 'float16';
  calibration: readonly CalibrationBatch[] | undefined;
} {
  const { quantize, dtype = 'float32', calibration } = precision;
  if (quantize !== undefined && !QUANTIZE.includes(quantize)) throw new ClipkitError(`--quantize ${quantize}: the supported quantisation is ${QUANTIZE.join(', ')}`);
  if (!DTYPES.includes(dtype)) throw new ClipkitError(`--dtype ${dtype}: weights are stored as ${DTYPES.join(' or ')}`);
  if (calibration !== undefined && quantize !== 'int8')
    throw new ClipkitError('calibration images are for int8 convolutions: add --quantize int8, or leave out --calibration-images');
  if (calibration?.length === 0) throw new ClipkitError('calibration: no batches of inputs given; static int8 measures activation ranges on at least one');
  return { quantize, dtype, calibration };
}

/** A short name of `precision` for logs and metadata: "float32", "int8", "int8-static", "float16", "int8+float16"... */
export function precisionName(precision: ExportPrecision): string {
  const { quantize, dtype, calibration } = checkExportPrecision(precision);
  if (quantize === undefined) return dtype;
  const int8 = calibration === undefined ? quantize : `${quantize}-static`;
  return dtype === 'float32' ? int8 : `${int8}+${dtype}`;
}

/**
 * A tower's graph with its weights stored as `precision` asks: with calibration batches, the convolution trunk
 * (its tiling average pools as depthwise convolutions) statically quantised first (a tower with no convolutions is left as it is), then int8 for the remaining
 * products (activations quantised at run time), then float16 for the float32 weights left.
 */
export async function withExportPrecision(model: OnnxModel, precision: ExportPrecision): Promise<OnnxModel> {
  const { quantize, dtype, calibration } = checkExportPrecision(precision);
  let quantized = model;
  if (quantize === 'int8') {
    // Pools as depthwise convolutions: onnxruntime runs those faster than QLinearAveragePool (README).
    const pooled = calibration === undefined ? model : averagePoolsAsConvs(model);
    const plan = staticInt8Plan(pooled.graph);
    if (calibration !== undefined && plan.nodes.size > 0) {
      const inputs = calibration.reduce((n, batch) => n + batch.dims[0], 0);
      quantized = quantizeStaticInt8(pooled, plan, await calibrationRanges(pooled, plan.tensors, calibration), `${inputs} inputs`);
    }
    quantized = quantizeInt8(quantized);
  }
  const stored = dtype === 'float16' ? float16Weights(quantized) : quantized;
  return { ...stored, metadata: { ...stored.metadata, 'clipkit.weights': precisionName(precision) } };
}
