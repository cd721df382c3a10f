import { intAttribute, intsAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { layerNormNode, transformerGraph } from '@clipkit/layers';
import type { VitConfig } from './vit-schema.js';

/**
 * OpenAI CLIP's VisionTransformer (clip/model.py) as ONNX nodes: pixel_values [N, 3, S, S] ->
 * image_embeds [N, embedDim]. `weights` are the tower's, by its state-dict names.
 */
export function vitGraph(vision: VitConfig, embedDim: number, g: OnnxGraphBuilder, w: OnnxWeights): void {
  const { imageSize, patchSize: p, width } = vision;
  const grid = imageSize / p;
  const tokens = grid * grid + 1;
  const pixels = g.input('pixel_values', 'float32', ['batch', 3, imageSize, imageSize]);

  // conv1 (stride = kernel = p, no bias) is a matrix product over non-overlapping patches: one Gemm on the
  // weight as stored ([D, 3*p*p], transB), measured as fast as onnxruntime's NCHWc Conv here and never slower.
  const patches = g.inScope('conv1', () => {
    const patchRows = g.node('Reshape', [pixels, g.int64s([-1, 3, grid, p, grid, p])]); // [N, 3, gy, py, gx, px]
    const patched = g.node('Transpose', [patchRows], { perm: intsAttribute([0, 2, 4, 1, 3, 5]) }); // [N, gy, gx, 3, py, px]
    const flat = g.node('Reshape', [patched, g.int64s([-1, 3 * p * p])]); // [N*g*g, 3*p*p]
    const embedded = g.node('Gemm', [flat, w.get('conv1.weight', [width, 3 * p * p])], { transB: intAttribute(1) }); // [N*g*g, D]
    return g.node('Reshape', [embedded, g.int64s([-1, grid * grid, width])]); // [N, g*g, D]
  });

  // cat([class_embedding, patches]) + positional_embedding: the class token row is a constant, so the patches
  // are padded with a zero row and the class embedding folded into the first position.
  const positions = Float32Array.from(w.values('positional_embedding'));
  const classEmbedding = w.values('class_embedding');
  for (let d = 0; d < width; d++) positions[d] += classEmbedding[d];
  const padded = g.node('Pad', [patches, g.int64s([0, 1, 0, 0, 0, 0])]); // [N, L, D]
  const embeddings = g.node('Add', [padded, g.floats('class_embedding+positional_embedding', [tokens, width], positions)]); // [N, L, D]
  const x = layerNormNode(g, w, g.node('Reshape', [embeddings, g.int64s([-1, width])]), 'ln_pre', width, vision.layerNormEps); // [N*L, D]

  const classToken = (t: string) => g.node('Gather', [g.node('Reshape', [t, g.int64s([-1, tokens, width])]), g.int64Scalar(0)], { axis: intAttribute(1) }); // [N, D]
  const spec = { ...vision, sequenceShape: (dims: readonly number[]) => g.int64s([-1, tokens, ...dims]) };
  const pooled = g.inScope('transformer', () => transformerGraph(g, w.scoped('transformer.'), x, spec, { pick: classToken })); // [N, D]
  const post = layerNormNode(g, w, pooled, 'ln_post', width, vision.layerNormEps);
  g.node('MatMul', [post, w.get('proj', [width, embedDim])], {}, 'image_embeds'); // [N, embedDim]
  g.output('image_embeds', 'float32', ['batch', embedDim]);
}
