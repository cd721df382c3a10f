import { ClipkitError } from '@clipkit/core';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { TowerWeights } from './tower-weights.js';

/**
 * Registers a tower's weights as graph initializers on first use, under their state-dict names and in
 * PyTorch's layout (Linear weights [out, in] are read by Gemm with transB), so the big matrices are
 * written straight from the arrays they were read into.
 */
export class WeightInitializers {
  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: TowerWeights,
    /** Prepended to every name asked for, e.g. "visual.transformer.resblocks.3.". */
    private readonly prefix = '',
    private readonly registered = new Set<string>(),
  ) {}

  /** The same weights, with `prefix` appended to this one's. */
  scoped(prefix: string): WeightInitializers {
    return new WeightInitializers(this.g, this.weights, this.prefix + prefix, this.registered);
  }

  /** The full state-dict name of `name`. */
  fullName(name: string): string {
    return this.prefix + name;
  }

  /** The weight's values (for folding). */
  values(name: string): Float32Array {
    const values = this.weights.get(this.prefix + name);
    if (!values) throw new ClipkitError(`the exporter needs the weight "${this.prefix + name}", which was not given`);
    return values;
  }

  /** The initializer holding the weight, with shape `dims`. */
  get(name: string, dims: readonly number[]): string {
    const full = this.prefix + name;
    if (!this.registered.has(full)) {
      this.g.constant(full, 'float32', dims, this.values(name));
      this.registered.add(full);
    }
    return full;
  }

  /** Rows [begin, end) of a weight as their own initializer of shape `dims` (a view, not a copy), e.g. the q part of in_proj_weight. */
  rows(name: string, part: string, begin: number, end: number, dims: readonly number[]): string {
    const values = this.values(name);
    const rowSize = dims.reduce((n, d) => n * d, 1) / (end - begin);
    const partName = `${this.prefix + name}[${part}]`;
    if (!this.registered.has(partName)) {
      this.g.constant(partName, 'float32', dims, values.subarray(begin * rowSize, end * rowSize));
      this.registered.add(partName);
    }
    return partName;
  }
}
