import { floatAttribute, intAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';

/** The MLP activations clipkit's transformers export (the towers' `activation` field). */
export type GraphActivation = 'quick_gelu' | 'gelu' | 'gelu_tanh';

/** nn.Linear as one Gemm on the weight as PyTorch stores it: x [M, in] -> x W^T + b [M, out], optionally scaled by `alpha` (bias included). */
export function linearNode(g: OnnxGraphBuilder, x: string, weight: string, bias: string, alpha = 1): string {
  return g.node('Gemm', [x, weight, bias], alpha === 1 ? { transB: intAttribute(1) } : { transB: intAttribute(1), alpha: floatAttribute(alpha), beta: floatAttribute(alpha) });
}

/** LayerNormalization (opset 17) over the last axis, with the state dict's `name.weight` / `name.bias`. */
export function layerNormNode(g: OnnxGraphBuilder, w: OnnxWeights, x: string, name: string, width: number, eps: number): string {
  return g.node('LayerNormalization', [x, w.get(`${name}.weight`, [width]), w.get(`${name}.bias`, [width])], { axis: intAttribute(-1), epsilon: floatAttribute(eps) });
}

/**
 * QuickGELU x sigmoid(1.702 x), exact GELU x/2 (1 + erf(x / sqrt 2)) or tanh GELU
 * x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written as PyTorch exports them so onnxruntime's
 * QuickGeluFusion / GeluFusion / FastGeluFusion (then BiasGeluFusion) replace them with one kernel.
 */
export function activationNode(g: OnnxGraphBuilder, x: string, kind: GraphActivation): string {
  if (kind === 'quick_gelu') return g.node('Mul', [x, g.node('Sigmoid', [g.node('Mul', [x, g.scalar(1.702)])])]);
  if (kind === 'gelu_tanh') {
    // FastGeluFusion's second formula (fast_gelu_fusion.cc): Pow(x, 3), Mul 0.044715, Add x, Mul sqrt(2/pi), Tanh, Add 1, Mul (x Mul 0.5).
    const cubic = g.node('Add', [x, g.node('Mul', [g.node('Pow', [x, g.scalar(3)]), g.scalar(0.044715)])]);
    const tanh = g.node('Tanh', [g.node('Mul', [cubic, g.scalar(Math.sqrt(2 / Math.PI))])]);
    return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [tanh, g.scalar(1)])]);
  }
  const erf = g.node('Erf', [g.node('Div', [x, g.scalar(Math.SQRT2)])]);
  return g.node('Mul', [g.node('Mul', [x, g.node('Add', [erf, g.scalar(1)])]), g.scalar(0.5)]);
}
