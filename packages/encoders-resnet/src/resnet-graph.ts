import { intAttribute, intsAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { linearNode, singleQueryAttention } from '@clipkit/layers';
import type { ResNetConfig } from './resnet-schema.js';

/** nn.BatchNorm2d's default epsilon, which OpenAI's ModifiedResNet keeps. */
const BATCH_NORM_EPS = 1e-5;

/**
 * conv then eval-mode BatchNorm as one Conv: W' = W gamma / sqrt(var + eps), b' = beta - mean gamma / sqrt(var + eps)
 * (folded in float64). `relu` appends the ReLU that onnxruntime fuses into the convolution.
 */
function convBatchNorm(g: OnnxGraphBuilder, w: OnnxWeights, x: string, conv: string, bn: string, options: { kernel: number; stride?: number; relu: boolean }): string {
  const weight = w.values(`${conv}.weight`);
  const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((part) => w.values(`${bn}.${part}`));
  const outChannels = gamma.length;
  const perChannel = weight.length / outChannels;
  const folded = new Float32Array(weight.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const scale = gamma[o] / Math.sqrt(variance[o] + BATCH_NORM_EPS);
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) folded[i] = weight[i] * scale;
    bias[o] = beta[o] - mean[o] * scale;
  }
  const { kernel, stride = 1 } = options;
  const pad = (kernel - 1) / 2;
  const y = g.node(
    'Conv',
    [x, g.floats(`${conv}.weight+${bn}`, [outChannels, perChannel / kernel ** 2, kernel, kernel], folded), g.floats(`${bn}.bias(folded)`, [outChannels], bias)],
    {
      kernel_shape: intsAttribute([kernel, kernel]),
      strides: intsAttribute([stride, stride]),
      pads: intsAttribute([pad, pad, pad, pad]),
    },
  );
  return options.relu ? g.node('Relu', [y]) : y;
}

function avgPool(g: OnnxGraphBuilder, x: string, size: number): string {
  return g.node('AveragePool', [x], { kernel_shape: intsAttribute([size, size]), strides: intsAttribute([size, size]) });
}

/** clip/model.py Bottleneck: 1x1, 3x3, avgpool (anti-aliased stride), 1x1 (x4), with an avgpool + 1x1 downsample branch. */
function bottleneck(g: OnnxGraphBuilder, w: OnnxWeights, x: string, stride: number, downsample: boolean): string {
  let out = convBatchNorm(g, w, x, 'conv1', 'bn1', { kernel: 1, relu: true });
  out = convBatchNorm(g, w, out, 'conv2', 'bn2', { kernel: 3, relu: true });
  if (stride > 1) out = avgPool(g, out, stride);
  out = convBatchNorm(g, w, out, 'conv3', 'bn3', { kernel: 1, relu: false });
  const identity = downsample ? convBatchNorm(g, w, stride > 1 ? avgPool(g, x, stride) : x, 'downsample.0', 'downsample.1', { kernel: 1, relu: false }) : x;
  return g.node('Relu', [g.node('Add', [out, identity])]);
}

/**
 * clip/model.py AttentionPool2d: features [N, C, s, s] -> one query (their mean plus position 0) attending
 * over the mean and every position, projected by c_proj: [N, embedDim].
 */
function attentionPool(g: OnnxGraphBuilder, w: OnnxWeights, x: string, vision: ResNetConfig, embedDim: number): string {
  const channels = vision.width * 32;
  const spatial = vision.imageSize / 32;
  const tokens = spatial * spatial + 1;
  const { heads } = vision;
  const dh = channels / heads;
  const flat = g.node('Transpose', [g.node('Reshape', [x, g.int64s([-1, channels, spatial * spatial])])], { perm: intsAttribute([0, 2, 1]) }); // [N, s*s, C]
  const mean = g.node('ReduceMean', [flat], { axes: intsAttribute([1]), keepdims: intAttribute(1) }); // [N, 1, C]
  const sequence = g.node('Add', [g.node('Concat', [mean, flat], { axis: intAttribute(1) }), w.get('positional_embedding', [tokens, channels])]); // [N, T, C]
  const first = g.node('Gather', [sequence, g.int64Scalar(0)], { axis: intAttribute(1) }); // [N, C]
  const q = linearNode(g, first, w.get('q_proj.weight', [channels, channels]), w.get('q_proj.bias', [channels]), dh ** -0.5); // [N, C]
  const attended = singleQueryAttention(g, sequence, q, {
    width: channels,
    heads,
    keyWeight: w.get('k_proj.weight', [heads, dh, channels]),
    valueWeight: w.get('v_proj.weight', [heads, dh, channels]),
    valueBias: w.get('v_proj.bias', [channels]),
  }); // [N, C]
  return g.node('Gemm', [attended, w.get('c_proj.weight', [embedDim, channels]), w.get('c_proj.bias', [embedDim])], { transB: intAttribute(1) }, 'image_embeds'); // [N, embedDim]
}

/**
 * OpenAI CLIP's ModifiedResNet (clip/model.py) in eval mode as ONNX nodes: pixel_values [N, 3, S, S] ->
 * image_embeds [N, embedDim]. BatchNorm uses the running statistics, folded into the convolutions.
 */
export function resnetGraph(vision: ResNetConfig, embedDim: number, g: OnnxGraphBuilder, w: OnnxWeights): void {
  const { imageSize, width } = vision;
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, imageSize, imageSize]);
  let x = g.inScope('stem', () => {
    const stem1 = convBatchNorm(g, w, pixels, 'conv1', 'bn1', { kernel: 3, stride: 2, relu: true });
    const stem2 = convBatchNorm(g, w, stem1, 'conv2', 'bn2', { kernel: 3, relu: true });
    return avgPool(g, convBatchNorm(g, w, stem2, 'conv3', 'bn3', { kernel: 3, relu: true }), 2); // [N, width, S/4, S/4]
  });
  // Stage i has width x 2^i planes and 4x that many outputs; its first block downsamples (stride 2 after the
  // first stage) and has a downsample branch wherever the stride or the channel count changes.
  let inplanes = width;
  vision.layers.forEach((blocks, stage) => {
    const planes = width * 2 ** stage;
    const stride = stage === 0 ? 1 : 2;
    for (let b = 0; b < blocks; b++) {
      const name = `layer${stage + 1}.${b}`;
      const downsample = b === 0 && (stride > 1 || inplanes !== planes * 4);
      x = g.inScope(name, () => bottleneck(g, w.scoped(`${name}.`), x, b === 0 ? stride : 1, downsample));
    }
    inplanes = planes * 4;
  });
  g.inScope('attnpool', () => attentionPool(g, w.scoped('attnpool.'), x, vision, embedDim));
  g.output('image_embeds', 'float32', ['batch', embedDim]);
}
