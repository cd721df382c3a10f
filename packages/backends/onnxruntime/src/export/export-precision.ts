import { ClipkitError } from '@clipkit/core';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { float16Weights } from '../transform/float16-weights.js';
import { quantizeInt8 } from '../transform/quantize-int8.js';

/** How an export stores its weights (`clipkit export-onnx --quantize int8`, `--dtype float16`). */
export interface ExportPrecision {
  /** "int8": the products' weights as int8 (quantizeInt8 with its measured defaults). Default none. */
  quantize?: 'int8';
  /** "float16": the float32 weights left (all of them, or those int8 did not take) stored as float16. Default "float32". */
  dtype?: 'float32' | 'float16';
}

const QUANTIZE = ['int8'] as const;
const DTYPES = ['float32', 'float16'] as const;

/** `precision` checked, so a typo in a command's option is an error rather than a float32 export. */
export function checkExportPrecision(precision: ExportPrecision): { quantize: 'int8' | undefined; dtype: 'float32' | 'float16' } {
  const { quantize, dtype = 'float32' } = precision;
  if (quantize !== undefined && !QUANTIZE.includes(quantize)) throw new ClipkitError(`--quantize ${quantize}: the supported quantisation is ${QUANTIZE.join(', ')}`);
  if (!DTYPES.includes(dtype)) throw new ClipkitError(`--dtype ${dtype}: weights are stored as ${DTYPES.join(' or ')}`);
  return { quantize, dtype };
}

/** A short name of `precision` for logs and cache keys: "float32", "int8", "float16" or "int8+float16". */
export function precisionName(precision: ExportPrecision): string {
  const { quantize, dtype } = checkExportPrecision(precision);
  if (quantize === undefined) return dtype;
  return dtype === 'float32' ? quantize : `${quantize}+${dtype}`;
}

/** A tower's graph with its weights stored as `precision` asks: int8 first, then float16 for the float32 weights left. */
export function withExportPrecision(model: OnnxModel, precision: ExportPrecision): OnnxModel {
  const { quantize, dtype } = checkExportPrecision(precision);
  const quantized = quantize === 'int8' ? quantizeInt8(model) : model;
  const stored = dtype === 'float16' ? float16Weights(quantized) : quantized;
  return { ...stored, metadata: { ...stored.metadata, 'clipkit.weights': precisionName(precision) } };
}
