import type { OnnxAttribute, OnnxDataType, OnnxTensor } from '@clipkit/core';

/**
 * The parts of an ONNX model (onnx/onnx.proto3) that clipkit's exporter produces, as plain data; tensors
 * and attributes are core's (what tower plug-ins build graphs with). encodeOnnxModel turns them into the
 * protobuf wire format.
 */

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output: name, element type and shape (a string is a symbolic dimension, e.g. "batch"). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  /** Topologically sorted. */
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  /** Version of the default ("ai.onnx") operator set. */
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** ModelProto.metadata_props: what the model is (clipkit records the tower and its config). */
  readonly metadata: Readonly<Record<string, string>>;
}
