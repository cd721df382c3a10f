/**
 * What a tower needs to describe itself as an ONNX graph. Tower plug-ins build their graphs against these
 * interfaces; @clipkit/backend-onnxruntime implements them, writes the protobuf and runs it. Values are
 * named by strings, as in ONNX.
 */

/** Element types used by clipkit's graphs. */
export type OnnxDataType = 'float32' | 'float16' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool';
export type OnnxTensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

/** A constant tensor: an initializer, or a tensor-valued attribute. */
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

/** TensorProto.DataType (onnx.proto3) of each element type: how files, and attributes such as Cast's `to`, name it. */
export const ONNX_DATA_TYPE_CODES: Readonly<Record<OnnxDataType, number>> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };

export const intAttribute = (value: number): OnnxAttribute => ({ type: 'int', value });
export const floatAttribute = (value: number): OnnxAttribute => ({ type: 'float', value });
export const intsAttribute = (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value });
/** An element type as an attribute, e.g. Cast's `to`. */
export const dataTypeAttribute = (dataType: OnnxDataType): OnnxAttribute => intAttribute(ONNX_DATA_TYPE_CODES[dataType]);

/** Builds a graph node by node, in topological order. */
export interface OnnxGraphBuilder {
  /** Runs `build` with value and node names prefixed by `scope` (nested scopes join with "."). */
  inScope<T>(scope: string, build: () => T): T;
  input(name: string, dataType: OnnxDataType, dims: readonly (number | string)[]): string;
  /** Declares `value` (already produced under that name) a graph output. */
  output(value: string, dataType: OnnxDataType, dims: readonly (number | string)[]): void;
  /** A constant tensor under exactly `name`. */
  constant(name: string, dataType: OnnxDataType, dims: readonly number[], data: OnnxTensorData): string;
  /** A float32 constant named after the current scope, e.g. a folded weight. */
  floats(name: string, dims: readonly number[], data: Float32Array): string;
  /** A 1-D int64 constant (shapes, axes, pads, indices), shared by every node that uses the same values. */
  int64s(values: readonly number[]): string;
  /** A 0-D int64 constant, shared like int64s. */
  int64Scalar(value: number): string;
  /** A float32 scalar constant, shared like int64s. */
  scalar(value: number): string;
  /** Adds a node and returns the name of its output: `output` when given (e.g. a graph output), else derived from the scope. */
  node(opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, OnnxAttribute>>, output?: string): string;
}

/** A tower's trained weights as graph initializers, by state-dict name, in PyTorch's layout. */
export interface OnnxWeights {
  /** The same weights, with `prefix` appended to this one's (e.g. "transformer.resblocks.3."). */
  scoped(prefix: string): OnnxWeights;
  /** The weight's values (for folding constants). */
  values(name: string): Float32Array;
  /** The initializer holding the weight, with shape `dims`, registered on first use. */
  get(name: string, dims: readonly number[]): string;
  /** Rows [begin, end) of a weight as their own initializer of shape `dims`, e.g. the q part of in_proj_weight. */
  rows(name: string, part: string, begin: number, end: number, dims: readonly number[]): string;
}

/** How a tower plug-in exports itself to ONNX. */
export interface TowerOnnxExport<S> {
  /**
   * Adds the tower's graph: input `pixel_values` float32 [batch, 3, S, S] (CLIP-normalised) for image towers
   * or `input_ids` int64 [batch, L] for text towers, output `image_embeds` / `text_embeds` float32
   * [batch, embedDim] (unnormalised), exactly the tfjs tower's maths.
   */
  graph(section: S, embedDim: number, g: OnnxGraphBuilder, weights: OnnxWeights): void;
}
