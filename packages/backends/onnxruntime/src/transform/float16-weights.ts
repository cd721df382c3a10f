import { dataTypeAttribute, toFloat16 } from '@clipkit/core';
import type { OnnxModel, OnnxNode } from '../onnx/onnx-model.js';
import { GraphRewriter, withGraph } from './graph-rewriter.js';

const QDQ = new Set(['QuantizeLinear', 'DequantizeLinear']);

export interface Float16WeightsOptions {
  /** float32 initializers with at least this many values are stored as float16. Default 1024 (the matrices; vectors are too small to matter). */
  minValues?: number;
}

/**
 * The model with its large float32 initializers stored as float16 (about half the file), each widened back
 * by a Cast that reads it. onnxruntime folds the Casts of constants when it loads the model, so the graph
 * computes in float32 exactly as before, on weights rounded to half precision (PyTorch's `.half()`
 * rounding). Computing in float16 was measured and is not faster on onnxruntime's CPU provider (README).
 */
export function float16Weights(model: OnnxModel, options: Float16WeightsOptions = {}): OnnxModel {
  const minValues = options.minValues ?? 1024;
  const r = new GraphRewriter(model.graph);
  const widened = new Map<string, string>();
  const widen = (name: string, node: OnnxNode): string => {
    const tensor = r.initializers.get(name);
    // A static int8 graph's scales stay exact (they are few): rounded, a bias's scale would no longer be the
    // product of its input's and weight's scales that QLinearConv assumes.
    if (tensor?.dataType !== 'float32' || tensor.data.length < minValues || QDQ.has(node.opType)) return name;
    let float = widened.get(name);
    if (!float) {
      const half = r.constant(`${name}:float16`, 'float16', tensor.dims, toFloat16(tensor.data as Float32Array));
      float = r.value('Cast', `${name}/Cast`, [half], { to: dataTypeAttribute('float32') });
      widened.set(name, float);
    }
    return float;
  };
  for (const node of model.graph.nodes) r.keep({ ...node, inputs: node.inputs.map((input) => widen(input, node)) });
  return withGraph(model, r.build(), { 'clipkit.weights': 'float16' });
}
