import { ClipkitError, intAttribute } from '@clipkit/core';
import type { OnnxGraph, OnnxModel, OnnxNode } from '../onnx/onnx-model.js';
import type { TensorRange } from './calibration-ranges.js';
import { GraphRewriter, withGraph } from './graph-rewriter.js';
import { quantizeInt8Weights } from './int8-weights.js';

/** Ops whose output is quantised with their input's scale (a pool's output lies within its input's range), as quantize_static does. */
const POOLS = new Set(['AveragePool', 'MaxPool', 'GlobalAveragePool']);

/**
 * Which nodes of `graph` compute on int8/uint8 under static quantisation, and the tensors whose ranges that
 * needs. The integer region grows from the convolutions: a Conv with a constant 4-D float32 weight; a pool,
 * or an Add of two tensors, all made in the region; a Relu right after a region node, read by nothing else,
 * is folded into that node's output quantisation (uint8 with zero point 0 clamps negatives, so the Relu is
 * exact), as quantize_static removes it.
 */
export interface StaticInt8Plan {
  /** Names of the nodes computed as integers (QDQ groups). */
  readonly nodes: ReadonlySet<string>;
  /** Relu nodes folded into their producer, by the producer's output. */
  readonly folded: ReadonlyMap<string, OnnxNode>;
  /** Activations to calibrate: every region output (after a folded Relu) and every float tensor entering the region. */
  readonly tensors: readonly string[];
}

export function staticInt8Plan(graph: OnnxGraph): StaticInt8Plan {
  const r = new GraphRewriter(graph);
  const readers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const nodes = new Set<string>();
  const folded = new Map<string, OnnxNode>();
  /** Tensors the region produces, under the name the rest of the graph reads them by. */
  const produced = new Set<string>();
  const calibrated = new Set<string>();
  const foldedRelus = new Set<OnnxNode>();
  for (const node of graph.nodes) {
    if (foldedRelus.has(node)) continue;
    const [x] = node.inputs;
    let inRegion = false;
    if (node.opType === 'Conv') {
      const w = r.ownConstant(node.inputs[1]);
      const bias = node.inputs[2];
      inRegion = w?.dataType === 'float32' && w.dims.length === 4 && (bias === undefined || bias === '' || r.ownConstant(bias)?.dataType === 'float32');
      if (inRegion && !produced.has(x)) calibrated.add(x);
    } else if (POOLS.has(node.opType)) inRegion = produced.has(x);
    else if (node.opType === 'Add') inRegion = node.inputs.every((input) => produced.has(input));
    if (!inRegion) continue;
    nodes.add(node.name);
    let output = node.outputs[0];
    const next = readers.get(output) ?? [];
    if (next.length === 1 && next[0].opType === 'Relu' && !graphOutputs.has(output)) {
      folded.set(output, next[0]);
      foldedRelus.add(next[0]);
      output = next[0].outputs[0];
    }
    produced.add(output);
    if (!POOLS.has(node.opType)) calibrated.add(output);
  }
  return { nodes, folded, tensors: [...calibrated] };
}

/** uint8 asymmetric parameters of a range widened to hold 0 (onnxruntime's compute_scale_zp). */
function uint8Parameters({ min, max }: TensorRange): { scale: number; zeroPoint: number } {
  const [low, high] = [Math.min(min, 0), Math.max(max, 0)];
  const scale = (high - low) / 255;
  if (!(scale > 0)) return { scale: 1, zeroPoint: 0 };
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-low / scale))) };
}

/** Quantisation parameters per activation, as initializers, shared by the Q and DQ nodes that use them. */
class ActivationParameters {
  private readonly made = new Map<string, { scale: string; zeroPoint: string; value: number }>();

  constructor(
    private readonly r: GraphRewriter,
    private readonly ranges: ReadonlyMap<string, TensorRange>,
  ) {}

  of(tensor: string): { scale: string; zeroPoint: string; value: number } {
    let found = this.made.get(tensor);
    if (!found) {
      const range = this.ranges.get(tensor);
      if (!range) throw new ClipkitError(`static int8: no calibrated range for "${tensor}"; calibrate the tensors staticInt8Plan lists`);
      const { scale, zeroPoint } = uint8Parameters(range);
      found = {
        scale: this.r.constant(`${tensor}:scale`, 'float32', [], new Float32Array([scale])),
        zeroPoint: this.r.constant(`${tensor}:zero_point`, 'uint8', [], new Uint8Array([zeroPoint])),
        value: Math.fround(scale),
      };
      this.made.set(tensor, found);
    }
    return found;
  }

  /** The same parameters under a second tensor's name (a pool's output takes its input's). */
  alias(tensor: string, source: string): void {
    this.made.set(tensor, this.of(source));
  }
}

/** A constant of `type` stored per output channel (axis 0) with zero points 0, widened to float by DequantizeLinear. */
function dequantizedConstant(
  r: GraphRewriter,
  name: string,
  base: string,
  type: 'int8' | 'int32',
  dims: readonly number[],
  values: Int8Array | Int32Array,
  scales: Float32Array,
): string {
  const channels = scales.length;
  const zeroPoints = type === 'int8' ? new Int8Array(channels) : new Int32Array(channels);
  const inputs = [
    r.constant(`${base}:${type}`, type, dims, values),
    r.constant(`${base}:scale`, 'float32', [channels], scales),
    r.constant(`${base}:zero_point`, type, [channels], zeroPoints),
  ];
  return r.value('DequantizeLinear', name, inputs, { axis: intAttribute(0) });
}

/** Conv's weight as int8 per output channel behind DequantizeLinear(axis 0), and its bias as int32 at x_scale * w_scale. */
function dequantizedConvInputs(r: GraphRewriter, node: OnnxNode, xScale: number): string[] {
  const w = r.ownConstant(node.inputs[1])!;
  const channels = w.dims[0];
  const { values, scales } = quantizeInt8Weights(w.data as Float32Array, channels, w.data.length / channels, true);
  const weight = dequantizedConstant(r, `${node.name}/DequantizeLinear_w`, w.name, 'int8', w.dims, values, scales);
  const b = r.ownConstant(node.inputs[2]);
  if (!b) return [weight];
  const biasScales = scales.map((s) => s * xScale);
  const bias = Int32Array.from(b.data as Float32Array, (v, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v / biasScales[c]))));
  return [weight, dequantizedConstant(r, `${node.name}/DequantizeLinear_b`, b.name, 'int32', b.dims, bias, biasScales)];
}

/**
 * The convolution trunk of `model` quantised statically in QDQ form, as onnxruntime's quantize_static writes
 * it (QDQ format, MinMax calibration): each activation of the integer region (staticInt8Plan) passes through
 * QuantizeLinear -> DequantizeLinear with constant uint8 parameters from `ranges`, weights are int8
 * symmetric per output channel and biases int32, all behind DequantizeLinear. onnxruntime's optimiser fuses
 * each DQ -> op -> Q group into QLinearConv, QLinearAdd, QLinearAveragePool, run channels-last on int8
 * kernels; the float nodes after the region read the dequantised tensors under their original names.
 * `calibratedOn` (e.g. "200 inputs") is recorded in the metadata key clipkit.int8.static.
 */
export function quantizeStaticInt8(model: OnnxModel, plan: StaticInt8Plan, ranges: ReadonlyMap<string, TensorRange>, calibratedOn: string): OnnxModel {
  const r = new GraphRewriter(model.graph);
  const parameters = new ActivationParameters(r, ranges);
  /** Float tensors entering the region, by their dequantised name. */
  const entering = new Map<string, string>();
  const foldedRelus = new Set(plan.folded.values());
  const dequantized = (x: string): string => {
    if (!plan.tensors.includes(x) || entering.has(x)) return entering.get(x) ?? x;
    const { scale, zeroPoint } = parameters.of(x);
    const q = r.value('QuantizeLinear', `${x}/QuantizeLinear`, [x, scale, zeroPoint]);
    const dq = r.value('DequantizeLinear', `${x}/DequantizeLinear`, [q, scale, zeroPoint]);
    entering.set(x, dq);
    return dq;
  };
  /** Region outputs: the node writes a float, which is quantised and dequantised back under the name readers know. */
  const regionOutputs = new Set<string>();
  for (const node of model.graph.nodes) {
    if (foldedRelus.has(node)) continue;
    if (!plan.nodes.has(node.name)) {
      r.keep(node);
      continue;
    }
    const inputs = node.inputs.map((x) => (regionOutputs.has(x) ? x : dequantized(x)));
    const output = plan.folded.get(node.outputs[0])?.outputs[0] ?? node.outputs[0];
    if (POOLS.has(node.opType)) parameters.alias(output, node.inputs[0]);
    const { scale, zeroPoint } = parameters.of(output);
    if (node.opType === 'Conv') inputs.splice(1, 2, ...dequantizedConvInputs(r, node, parameters.of(node.inputs[0]).value));
    const float = r.value(node.opType, node.name, inputs, node.attributes);
    const q = r.value('QuantizeLinear', `${output}/QuantizeLinear`, [float, scale, zeroPoint]);
    r.node('DequantizeLinear', `${output}/DequantizeLinear`, [q, scale, zeroPoint], [output]);
    regionOutputs.add(output);
  }
  const metadata = JSON.stringify({ format: 'qdq', activations: 'uint8 per tensor, min/max calibrated', weights: 'int8 per output channel', nodes: plan.nodes.size, calibratedOn });
  return withGraph(model, r.build(), { 'clipkit.int8.static': metadata });
}
