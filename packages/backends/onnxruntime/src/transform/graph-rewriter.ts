import { ClipkitError, type OnnxAttribute, type OnnxDataType, type OnnxTensor, type OnnxTensorData } from '@clipkit/core';
import type { OnnxGraph, OnnxModel, OnnxNode } from '../onnx/onnx-model.js';

/**
 * Rebuilds a graph node by node (see quantizeInt8, float16Weights): each node of the source is kept or
 * replaced by others, new initializers are added, and initializers nothing reads any more are dropped.
 * Value names of the source are kept, so graph outputs and every untouched node still find their inputs.
 */
export class GraphRewriter {
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  private readonly added: OnnxTensor[] = [];
  private readonly nodes: OnnxNode[] = [];
  private readonly names: Set<string>;
  /** How many nodes of the source read each value. */
  private readonly readers = new Map<string, number>();

  constructor(private readonly graph: OnnxGraph) {
    this.initializers = new Map(graph.initializers.map((t) => [t.name, t]));
    this.names = new Set([...graph.initializers.map((t) => t.name), ...graph.inputs.map((v) => v.name), ...graph.nodes.flatMap((n) => n.outputs)]);
    for (const node of graph.nodes) for (const input of node.inputs) this.readers.set(input, (this.readers.get(input) ?? 0) + 1);
  }

  /** The constant a node reads at `name`, when it is an initializer that no other node reads (so it may be replaced). */
  ownConstant(name: string | undefined): OnnxTensor | undefined {
    if (name === undefined) return undefined;
    const tensor = this.initializers.get(name);
    return tensor && this.readers.get(name) === 1 && !this.graph.outputs.some((o) => o.name === name) ? tensor : undefined;
  }

  /** A new name derived from `base`, unused in the graph. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}~${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds an initializer under a fresh name derived from `name`. */
  constant(name: string, dataType: OnnxDataType, dims: readonly number[], data: OnnxTensorData): string {
    const fresh = this.fresh(name);
    this.added.push({ name: fresh, dataType, dims, data });
    return fresh;
  }

  /** Appends a node; outputs are given names (the source's, or fresh ones). */
  node(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}): void {
    this.nodes.push({ opType, name, inputs, outputs, attributes });
  }

  /** Appends a node with one fresh output named after `name` and returns that output. */
  value(opType: string, name: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}): string {
    const output = this.fresh(`${name}:out`);
    this.node(opType, name, inputs, [output], attributes);
    return output;
  }

  keep(node: OnnxNode): void {
    this.nodes.push(node);
  }

  /** The rewritten graph, without the initializers no node reads any more. */
  build(): OnnxGraph {
    const read = new Set(this.nodes.flatMap((n) => n.inputs));
    for (const output of this.graph.outputs) read.add(output.name);
    const initializers = [...this.graph.initializers, ...this.added].filter((t) => read.has(t.name));
    for (const node of this.nodes) {
      for (const input of node.inputs) {
        if (input !== '' && !this.names.has(input)) throw new ClipkitError(`graph rewrite of ${this.graph.name}: node ${node.name} reads "${input}", which nothing produces`);
      }
    }
    return { ...this.graph, nodes: this.nodes, initializers };
  }
}

/** `model` with its graph replaced and `metadata` added to its metadata. */
export function withGraph(model: OnnxModel, graph: OnnxGraph, metadata: Readonly<Record<string, string>>): OnnxModel {
  return { ...model, graph, metadata: { ...model.metadata, ...metadata } };
}
