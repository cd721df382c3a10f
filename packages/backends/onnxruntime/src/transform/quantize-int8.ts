import { dataTypeAttribute, intAttribute, type OnnxTensor } from '@clipkit/core';
import type { OnnxModel, OnnxNode } from '../onnx/onnx-model.js';
import { GraphRewriter, withGraph } from './graph-rewriter.js';
import { quantizeInt8Weights } from './int8-weights.js';

/**
 * How a quantised product is written:
 * - "integer": DynamicQuantizeLinear, MatMulInteger (ConvInteger), Cast, Mul by the two scales, Add the bias:
 *   the form of onnxruntime's quantize_dynamic, which its optimiser fuses into DynamicQuantizeMatMul;
 * - "qdq": DynamicQuantizeLinear, then DequantizeLinear of the activations and of the weights before a float
 *   MatMul (Conv), leaving the choice of kernel to onnxruntime's QDQ fusions.
 */
export type QuantizedForm = 'integer' | 'qdq';

/** The kinds of weights quantizeInt8 can store as int8. */
export type QuantizableWeight = 'linear' | 'projection' | 'conv' | 'embedding';

export interface QuantizeInt8Options {
  /** Default "integer" (measured fastest on onnxruntime's CPU provider: see the package README). */
  form?: QuantizedForm;
  /** Which kinds of weights become int8; the others stay float32. Default INT8_WEIGHTS. */
  weights?: readonly QuantizableWeight[];
}

/**
 * The weights quantised by default, chosen by measurement (README, "int8 and float16"): every Linear (Gemm),
 * the final projections (MatMul) and the token embedding (Gather: a quarter of the text tower's file, for no
 * measurable loss). Convolutions stay float32: onnxruntime's CPU ConvInteger ran RN50 5x slower than float32.
 */
export const INT8_WEIGHTS: readonly QuantizableWeight[] = ['linear', 'projection', 'embedding'];

/** One DynamicQuantizeLinear per quantised activation, shared by the products that read it (q, k and v read one). */
class ActivationQuantizer {
  private readonly quantized = new Map<string, { q: string; scale: string; zeroPoint: string }>();

  constructor(private readonly r: GraphRewriter) {}

  of(x: string): { q: string; scale: string; zeroPoint: string } {
    let found = this.quantized.get(x);
    if (!found) {
      found = { q: this.r.fresh(`${x}:uint8`), scale: this.r.fresh(`${x}:scale`), zeroPoint: this.r.fresh(`${x}:zero_point`) };
      this.r.node('DynamicQuantizeLinear', `${x}/DynamicQuantizeLinear`, [x], [found.q, found.scale, found.zeroPoint]);
      this.quantized.set(x, found);
    }
    return found;
  }
}

interface Product {
  /** The activation [M, K] (Gemm, MatMul) or [N, C, H, W] (Conv). */
  x: string;
  /** int8 weights in the layout the integer op reads: [K, N] for products, [out, in/group, kh, kw] for Conv. */
  weight: OnnxTensor;
  /** One per output channel, [N] or [C]. */
  scales: OnnxTensor;
  /** Added after scaling, or undefined. */
  bias: string | undefined;
}

/**
 * `node`'s output computed from int8 weights and dynamically quantised uint8 activations, in `form`.
 * For Conv, `attributes` are the convolution's.
 */
function quantizedProduct(r: GraphRewriter, activations: ActivationQuantizer, node: OnnxNode, product: Product, form: QuantizedForm, conv: boolean): void {
  const { q, scale, zeroPoint } = activations.of(product.x);
  const weight = r.constant(product.weight.name, 'int8', product.weight.dims, product.weight.data);
  // ConvInteger's output is [N, C, H, W]: its per-channel scales broadcast as [1, C, 1, 1].
  const scalesDims = conv && form === 'integer' ? [1, product.scales.dims[0], 1, 1] : product.scales.dims;
  const scales = r.constant(product.scales.name, 'float32', scalesDims, product.scales.data);
  const output = node.outputs[0];
  let y: string;
  if (form === 'integer') {
    const integer = r.value(conv ? 'ConvInteger' : 'MatMulInteger', `${node.name}/${conv ? 'ConvInteger' : 'MatMulInteger'}`, [q, weight, zeroPoint], conv ? node.attributes : {}); // int32
    const float = r.value('Cast', `${node.name}/Cast`, [integer], { to: dataTypeAttribute('float32') });
    const combined = r.value('Mul', `${node.name}/scales`, [scale, scales]); // x_scale * w_scale per channel
    if (product.bias === undefined) {
      r.node('Mul', `${node.name}/Mul`, [float, combined], [output]);
      return;
    }
    y = r.value('Mul', `${node.name}/Mul`, [float, combined]);
    if (conv) {
      const b = r.initializers.get(product.bias)!;
      r.node('Add', `${node.name}/Add`, [y, floats(r, `${b.name}:nchw`, [1, b.dims[0], 1, 1], b.data as Float32Array)], [output]);
      return;
    }
  } else {
    const xFloat = r.value('DequantizeLinear', `${node.name}/DequantizeLinear_x`, [q, scale, zeroPoint]);
    const wFloat = r.value('DequantizeLinear', `${node.name}/DequantizeLinear_w`, [weight, scales], { axis: intAttribute(conv ? 0 : 1) });
    if (product.bias === undefined || !conv) {
      const inputs = [xFloat, wFloat];
      if (product.bias === undefined) {
        r.node(conv ? 'Conv' : 'MatMul', `${node.name}/${conv ? 'Conv' : 'MatMul'}`, inputs, [output], conv ? node.attributes : {});
        return;
      }
      y = r.value('MatMul', `${node.name}/MatMul`, inputs);
    } else {
      r.node('Conv', `${node.name}/Conv`, [xFloat, wFloat, product.bias], [output], node.attributes);
      return;
    }
  }
  r.node('Add', `${node.name}/Add`, [y, product.bias], [output]);
}

/** A float constant of shape `dims` holding `values`, named after `base`. */
function floats(r: GraphRewriter, base: string, dims: readonly number[], values: Float32Array): string {
  return r.constant(base, 'float32', dims, values);
}

const attribute = (node: OnnxNode, name: string, fallback: number): number => {
  const value = node.attributes[name];
  return value && (value.type === 'int' || value.type === 'float') ? value.value : fallback;
};

/**
 * Gemm(x, W, b) with W a constant, transA 0: a product on int8 weights [K, N] with one scale per output
 * column; alpha folds into the scales and beta into the bias. Undefined when the Gemm does not fit.
 */
function gemmProduct(r: GraphRewriter, node: OnnxNode): Product | undefined {
  const w = r.ownConstant(node.inputs[1]);
  if (w?.dataType !== 'float32' || w.dims.length !== 2 || attribute(node, 'transA', 0) !== 0) return undefined;
  const transB = attribute(node, 'transB', 0) === 1;
  const [rows, cols] = w.dims;
  const quantized = quantizeInt8Weights(w.data as Float32Array, rows, cols, transB, transB);
  const outputs = transB ? rows : cols;
  const alpha = attribute(node, 'alpha', 1);
  const beta = attribute(node, 'beta', 1);
  const scales = quantized.scales.map((s) => s * alpha);
  let bias = node.inputs[2];
  const b = r.ownConstant(bias);
  if (bias !== undefined && beta !== 1) {
    if (b?.dataType !== 'float32') return undefined;
    bias = floats(
      r,
      `${b.name}*beta`,
      b.dims,
      (b.data as Float32Array).map((v) => v * beta),
    );
  }
  return {
    x: node.inputs[0],
    weight: { name: `${w.name}:int8`, dataType: 'int8', dims: [transB ? cols : rows, outputs], data: quantized.values },
    scales: { name: `${w.name}:scale`, dataType: 'float32', dims: [outputs], data: scales },
    bias: bias === '' ? undefined : bias,
  };
}

/** MatMul(x, W) with W a 2-D constant [K, N] (a final projection): one scale per output column. */
function matMulProduct(r: GraphRewriter, node: OnnxNode): Product | undefined {
  const w = r.ownConstant(node.inputs[1]);
  if (w?.dataType !== 'float32' || w.dims.length !== 2) return undefined;
  const [rows, cols] = w.dims;
  const quantized = quantizeInt8Weights(w.data as Float32Array, rows, cols, false);
  return {
    x: node.inputs[0],
    weight: { name: `${w.name}:int8`, dataType: 'int8', dims: w.dims, data: quantized.values },
    scales: { name: `${w.name}:scale`, dataType: 'float32', dims: [cols], data: quantized.scales },
    bias: undefined,
  };
}

/** Conv(x, W, b) with W a constant [C, in/group, kh, kw]: int8 per output channel, scales as [1, C, 1, 1]. */
function convProduct(r: GraphRewriter, node: OnnxNode): Product | undefined {
  const w = r.ownConstant(node.inputs[1]);
  if (w?.dataType !== 'float32' || w.dims.length !== 4) return undefined;
  const channels = w.dims[0];
  const quantized = quantizeInt8Weights(w.data as Float32Array, channels, w.data.length / channels, true);
  const bias = node.inputs[2];
  if (bias !== undefined && bias !== '' && r.ownConstant(bias)?.dataType !== 'float32') return undefined;
  return {
    x: node.inputs[0],
    weight: { name: `${w.name}:int8`, dataType: 'int8', dims: w.dims, data: quantized.values },
    scales: { name: `${w.name}:scale`, dataType: 'float32', dims: [channels], data: quantized.scales },
    bias: bias === '' ? undefined : bias,
  };
}

/** Gather(E, ids) on axis 0 of a 2-D constant (a token embedding): int8 rows, each dequantised by its own scale. */
function quantizedEmbedding(r: GraphRewriter, node: OnnxNode): boolean {
  const table = r.ownConstant(node.inputs[0]);
  if (table?.dataType !== 'float32' || table.dims.length !== 2 || attribute(node, 'axis', 0) !== 0) return false;
  const [rows, cols] = table.dims;
  const quantized = quantizeInt8Weights(table.data as Float32Array, rows, cols, true);
  const ids = node.inputs[1];
  const values = r.value('Gather', `${node.name}/int8`, [r.constant(`${table.name}:int8`, 'int8', table.dims, quantized.values), ids], { axis: intAttribute(0) });
  const scales = r.value('Gather', `${node.name}/scales`, [floats(r, `${table.name}:scale`, [rows, 1], quantized.scales), ids], { axis: intAttribute(0) });
  const float = r.value('Cast', `${node.name}/Cast`, [values], { to: dataTypeAttribute('float32') });
  r.node('Mul', `${node.name}/Mul`, [float, scales], node.outputs);
  return true;
}

/**
 * The model with its weights stored as int8, one scale per output channel, and the activations entering each
 * quantised product quantised to uint8 at run time (DynamicQuantizeLinear: per tensor, asymmetric), as
 * onnxruntime's quantize_dynamic does. A graph transformation on clipkit's OnnxModel, so it applies to any
 * tower whose plug-in builds a graph: constant Gemm weights ("linear"), constant 2-D MatMul weights
 * ("projection"), Conv weights ("conv") and Gather tables ("embedding"), each only when no other node reads
 * the same initializer. Everything else (LayerNorm, attention between activations, biases) stays float32.
 */
export function quantizeInt8(model: OnnxModel, options: QuantizeInt8Options = {}): OnnxModel {
  const form = options.form ?? 'integer';
  const kinds = new Set(options.weights ?? INT8_WEIGHTS);
  const r = new GraphRewriter(model.graph);
  const activations = new ActivationQuantizer(r);
  for (const node of model.graph.nodes) {
    let product: Product | undefined;
    if (node.opType === 'Gemm' && kinds.has('linear')) product = gemmProduct(r, node);
    else if (node.opType === 'MatMul' && kinds.has('projection')) product = matMulProduct(r, node);
    else if (node.opType === 'Conv' && kinds.has('conv')) product = convProduct(r, node);
    else if (node.opType === 'Gather' && kinds.has('embedding') && quantizedEmbedding(r, node)) continue;
    if (product) quantizedProduct(r, activations, node, product, form, node.opType === 'Conv');
    else r.keep(node);
  }
  return withGraph(model, r.build(), { 'clipkit.weights': 'int8', 'clipkit.int8': JSON.stringify({ form, weights: [...kinds] }) });
}
