import { type OnnxGraphBuilder, type OnnxWeights, WeightsError } from '@clipkit/core';

/**
 * A tower's weights by its state-dict names (`conv1.weight`, `transformer.resblocks.0.attn.in_proj_weight`),
 * float32, row-major in PyTorch's layout. The exporter needs nothing else: no tfjs tower.
 */
export type TowerWeights = ReadonlyMap<string, Float32Array>;

/**
 * Registers a tower's weights as graph initializers on first use, under their state-dict names and in
 * PyTorch's layout (Linear weights [out, in] are read by Gemm with transB), so the big matrices are
 * written straight from the arrays they were read into.
 */
export class WeightInitializers implements OnnxWeights {
  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly weights: TowerWeights,
    /** Prepended to every name asked for, e.g. "transformer.resblocks.3.". */
    private readonly prefix = '',
    private readonly registered = new Set<string>(),
  ) {}

  scoped(prefix: string): WeightInitializers {
    return new WeightInitializers(this.g, this.weights, this.prefix + prefix, this.registered);
  }

  values(name: string): Float32Array {
    const values = this.weights.get(this.prefix + name);
    if (!values) throw new WeightsError(`the tower's ONNX graph needs the weight "${this.prefix + name}", which the tower's weights do not have`);
    return values;
  }

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
