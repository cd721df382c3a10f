/**
 * The parts of an ONNX model (onnx/onnx.proto3) that clipkit's exporter produces, as plain data.
 * encodeOnnxModel turns them into the protobuf wire format.
 */

/** TensorProto.DataType values of the element types used here. */
export const ONNX_DATA_TYPES = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxDataType = keyof typeof ONNX_DATA_TYPES;

export type OnnxTensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** A constant tensor: an initializer, or a tensor-valued attribute. Stored as raw little-endian bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

/** A node attribute, tagged with its AttributeProto type. */
export type OnnxAttribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: OnnxTensor };

export const intAttribute = (value: number): OnnxAttribute => ({ type: 'int', value });
export const floatAttribute = (value: number): OnnxAttribute => ({ type: 'float', value });
export const intsAttribute = (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value });

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
