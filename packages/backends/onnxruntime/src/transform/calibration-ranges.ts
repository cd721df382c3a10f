import { ClipkitError } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel } from '../onnx/encode-onnx-model.js';
import type { OnnxModel } from '../onnx/onnx-model.js';

/** One batch of the model's (first) input, e.g. preprocessed pixels [N, 3, S, S]. */
export interface CalibrationBatch {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** The smallest and largest value a tensor took over the calibration batches. */
export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Min and max of each of `tensors` (float32 activations of rank `rank`) over `batches`, found by running the
 * float model in onnxruntime with those tensors added as graph outputs: the MinMax calibration of
 * onnxruntime's quantize_static. Optimisations are off, so every tensor exists as the graph names it.
 */
export async function calibrationRanges(model: OnnxModel, tensors: readonly string[], batches: readonly CalibrationBatch[], rank = 4): Promise<Map<string, TensorRange>> {
  if (batches.length === 0) throw new ClipkitError('calibration: no batches given; static int8 needs at least one batch of inputs to measure activation ranges');
  const input = model.graph.inputs[0];
  const probed = tensors.filter((name) => !model.graph.outputs.some((o) => o.name === name));
  const outputs = [...model.graph.outputs, ...probed.map((name) => ({ name, dataType: 'float32' as const, dims: Array.from({ length: rank }, (_, i) => `${name}:d${i}`) }))];
  // onnxruntime loads the model from memory: its protobuf chunks in one buffer.
  const session = await ort.InferenceSession.create(Buffer.concat(encodeOnnxModel({ ...model, graph: { ...model.graph, outputs } })), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  const ranges = new Map<string, TensorRange>();
  try {
    for (const batch of batches) {
      const results = await session.run({ [input.name]: new ort.Tensor('float32', batch.data, [...batch.dims]) }, [...tensors]);
      for (const name of tensors) {
        const values = results[name].data as Float32Array;
        let { min, max } = ranges.get(name) ?? { min: Infinity, max: -Infinity };
        for (const v of values) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
        ranges.set(name, { min, max });
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
