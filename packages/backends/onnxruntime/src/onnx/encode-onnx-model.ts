import { ONNX_DATA_TYPE_CODES, type OnnxAttribute, type OnnxTensor } from '@clipkit/core';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from './onnx-model.js';
import { ProtoWriter } from './proto-writer.js';

// Field numbers and enum values of onnx/onnx.proto3.

/** IR version 8 (ONNX 1.12/1.13) is the one that goes with opset 17. */
const IR_VERSION = 8;

/** AttributeProto.AttributeType. */
const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function tensorProto(tensor: OnnxTensor): ProtoWriter {
  const { data } = tensor;
  return new ProtoWriter()
    .packedInts(1, tensor.dims) // dims
    .int(2, ONNX_DATA_TYPE_CODES[tensor.dataType]) // data_type
    .string(8, tensor.name) // name
    .bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // raw_data (little-endian, as the platform's typed arrays here)
}

function attributeProto(name: string, attribute: OnnxAttribute): ProtoWriter {
  const writer = new ProtoWriter().string(1, name).int(20, ATTRIBUTE_TYPES[attribute.type]);
  switch (attribute.type) {
    case 'float':
      return writer.float(2, attribute.value);
    case 'int':
      return writer.int(3, attribute.value);
    case 'string':
      return writer.string(4, attribute.value);
    case 'tensor':
      return writer.message(5, tensorProto(attribute.value));
    case 'ints':
      return writer.packedInts(8, attribute.value);
  }
}

function nodeProto(node: OnnxNode): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, node.name).string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) writer.message(5, attributeProto(name, attribute));
  return writer;
}

function valueInfoProto(value: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of value.dims) shape.message(1, typeof dim === 'number' ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim));
  const tensorType = new ProtoWriter().int(1, ONNX_DATA_TYPE_CODES[value.dataType]).message(2, shape);
  return new ProtoWriter().string(1, value.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graphProto(graph: OnnxGraph): ProtoWriter {
  const writer = new ProtoWriter();
  for (const node of graph.nodes) writer.message(1, nodeProto(node));
  writer.string(2, graph.name);
  for (const tensor of graph.initializers) writer.message(5, tensorProto(tensor));
  for (const input of graph.inputs) writer.message(11, valueInfoProto(input));
  for (const output of graph.outputs) writer.message(12, valueInfoProto(output));
  return writer;
}

/**
 * The ModelProto of `model` as byte chunks in file order. Initializer data is not copied: the chunks
 * view the tensors' own arrays, so they must not change until the chunks are written.
 */
export function encodeOnnxModel(model: OnnxModel): readonly Uint8Array[] {
  const writer = new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .message(7, graphProto(model.graph))
    .message(8, new ProtoWriter().string(1, '').int(2, model.opset));
  for (const [key, value] of Object.entries(model.metadata)) writer.message(14, new ProtoWriter().string(1, key).string(2, value));
  return writer.chunks();
}
