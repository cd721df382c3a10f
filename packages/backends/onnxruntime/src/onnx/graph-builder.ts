import { ClipkitError, type OnnxAttribute, type OnnxDataType, type OnnxGraphBuilder, type OnnxTensor, type OnnxTensorData } from '@clipkit/core';
import type { OnnxGraph, OnnxNode, OnnxValueInfo } from './onnx-model.js';

/**
 * Builds an ONNX graph node by node, in topological order. Values are named after the scope they are
 * built in (`transformer.resblocks.3/Gemm_12`), so an ORT profile or a viewer reads like the
 * state dict. Initializers keep the caller's arrays (no copy).
 */
export class GraphBuilder implements OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private scope = '';

  constructor(readonly name: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new ClipkitError(`ONNX graph ${this.name}: the value name "${name}" is used twice`);
    this.names.add(name);
    return name;
  }

  /** Runs `build` with value and node names prefixed by `scope` (nested scopes join with "."). */
  inScope<T>(scope: string, build: () => T): T {
    const outer = this.scope;
    this.scope = outer ? `${outer}.${scope}` : scope;
    try {
      return build();
    } finally {
      this.scope = outer;
    }
  }

  input(name: string, dataType: OnnxDataType, dims: readonly (number | string)[]): string {
    this.inputs.push({ name: this.claim(name), dataType, dims });
    return name;
  }

  /** Declares `value` (already produced under that name) a graph output. */
  output(value: string, dataType: OnnxDataType, dims: readonly (number | string)[]): void {
    if (!this.names.has(value)) throw new ClipkitError(`ONNX graph ${this.name}: output "${value}" is not produced by any node`);
    this.outputs.push({ name: value, dataType, dims });
  }

  /** A constant tensor under exactly `name` (weights keep their state-dict names). */
  constant(name: string, dataType: OnnxDataType, dims: readonly number[], data: OnnxTensorData): string {
    const count = dims.reduce((n, d) => n * d, 1);
    if (data.length !== count) throw new ClipkitError(`ONNX graph ${this.name}: constant "${name}" has ${data.length} values for shape [${dims.join(', ')}]`);
    this.initializers.push({ name: this.claim(name), dataType, dims, data });
    return name;
  }

  /** A float32 constant named after the current scope, e.g. a folded weight. */
  floats(name: string, dims: readonly number[], data: Float32Array): string {
    return this.constant(this.scope ? `${this.scope}.${name}` : name, 'float32', dims, data);
  }

  /** A 1-D int64 constant (shape, axes, pads, indices), shared by every node that uses the same values. */
  int64s(values: readonly number[]): string {
    const name = `int64s(${values.join(',')})`;
    return this.names.has(name)
      ? name
      : this.constant(
          name,
          'int64',
          [values.length],
          BigInt64Array.from(values, (v) => BigInt(v)),
        );
  }

  /** A 0-D int64 constant (an index that drops its axis in Gather), shared like int64s. */
  int64Scalar(value: number): string {
    const name = `int64(${value})`;
    return this.names.has(name) ? name : this.constant(name, 'int64', [], BigInt64Array.of(BigInt(value)));
  }

  /** A float32 scalar constant, shared like int64s. */
  scalar(value: number): string {
    const name = `scalar(${value})`;
    return this.names.has(name) ? name : this.constant(name, 'float32', [], Float32Array.of(value));
  }

  /** Adds a node and returns the name of its (one) output: `output` when given (e.g. a graph output), else derived from the scope. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, output?: string): string {
    const id = `${opType}_${this.counter++}`;
    const nodeName = this.scope ? `${this.scope}/${id}` : id;
    for (const input of inputs) {
      if (!this.names.has(input)) throw new ClipkitError(`ONNX graph ${this.name}: node ${nodeName} reads "${input}", which no earlier node, input or constant produces`);
    }
    const name = this.claim(output ?? nodeName);
    this.nodes.push({ opType, name: nodeName, inputs, outputs: [name], attributes });
    return name;
  }

  build(): OnnxGraph {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}
