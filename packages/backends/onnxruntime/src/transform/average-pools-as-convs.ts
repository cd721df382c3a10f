import { intAttribute, intsAttribute } from '@clipkit/core';
import type { OnnxModel, OnnxNode } from '../onnx/onnx-model.js';
import { GraphRewriter, withGraph } from './graph-rewriter.js';

const ints = (node: OnnxNode, name: string): readonly number[] | undefined => {
  const value = node.attributes[name];
  return value?.type === 'ints' ? value.value : undefined;
};

/**
 * Each AveragePool whose window tiles its input (kernel = strides, no padding) as the depthwise convolution it
 * equals: one k x k filter per channel, every weight 1 / k^2 (0.25 for 2 x 2, exact in int8 per channel: 127 x
 * 0.25/127). Under static int8, onnxruntime runs QLinearAveragePool more slowly than the depthwise QLinearConv
 * (measured on RN50: README, "int8"). Channels are followed from the graph input and the convolutions' weights
 * through shape-keeping ops; a pool whose channel count is unknown is kept.
 */
export function averagePoolsAsConvs(model: OnnxModel): OnnxModel {
  const r = new GraphRewriter(model.graph);
  const channels = new Map<string, number>();
  for (const input of model.graph.inputs) if (typeof input.dims[1] === 'number' && input.dims.length === 4) channels.set(input.name, input.dims[1]);
  let rewritten = 0;
  for (const node of model.graph.nodes) {
    const c = channels.get(node.inputs[0]);
    const kernel = ints(node, 'kernel_shape');
    const pads = ints(node, 'pads') ?? [];
    if (node.opType === 'AveragePool' && c !== undefined && kernel?.length === 2 && String(ints(node, 'strides')) === String(kernel) && pads.every((p) => p === 0)) {
      const [kh, kw] = kernel;
      const weight = r.constant(`${node.name}:depthwise`, 'float32', [c, 1, kh, kw], new Float32Array(c * kh * kw).fill(1 / (kh * kw)));
      r.node('Conv', node.name, [node.inputs[0], weight], node.outputs, { group: intAttribute(c), kernel_shape: intsAttribute(kernel), strides: intsAttribute(kernel) });
      channels.set(node.outputs[0], c);
      rewritten++;
      continue;
    }
    r.keep(node);
    if (node.opType === 'Conv') {
      const w = r.initializers.get(node.inputs[1]);
      if (w?.dims.length === 4) channels.set(node.outputs[0], w.dims[0]);
    } else if (['Relu', 'Add', 'AveragePool', 'MaxPool'].includes(node.opType) && c !== undefined && node.inputs.every((i) => channels.get(i) === c || r.initializers.has(i))) {
      channels.set(node.outputs[0], c);
    }
  }
  return rewritten === 0 ? model : withGraph(model, r.build(), {});
}
