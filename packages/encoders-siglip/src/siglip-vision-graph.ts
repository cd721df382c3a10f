import { intsAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { activationNode, layerNormNode, linearNode, singleQueryAttention, TRANSFORMERS_BLOCK_NAMING, transformerGraph } from '@clipkit/layers';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';

/** SiglipMLP on [M, D]: fc2(act(fc1(x))). */
function siglipMlpNode(g: OnnxGraphBuilder, w: OnnxWeights, x: string, spec: Pick<SiglipVisionConfig, 'width' | 'mlpWidth' | 'activation'>): string {
  const { width, mlpWidth } = spec;
  const hidden = activationNode(g, linearNode(g, x, w.get('mlp.fc1.weight', [mlpWidth, width]), w.get('mlp.fc1.bias', [mlpWidth])), spec.activation);
  return linearNode(g, hidden, w.get('mlp.fc2.weight', [width, mlpWidth]), w.get('mlp.fc2.bias', [width]));
}

/**
 * transformers' SiglipVisionTransformer (modeling_siglip.py) as ONNX nodes: pixel_values [N, 3, S, S] ->
 * image_embeds [N, width]. `weights` are the tower's, by its state-dict names (transformers' below `vision_model.`).
 */
export function siglipVisionGraph(vision: SiglipVisionConfig, _embedDim: number, g: OnnxGraphBuilder, w: OnnxWeights): void {
  const { imageSize, patchSize: p, width, heads } = vision;
  const grid = Math.floor(imageSize / p);
  const patches = grid * grid;
  const input = g.input('pixel_values', 'float32', ['batch', 3, imageSize, imageSize]);
  // A "valid" convolution does not see the rows and columns past the last whole patch.
  const seen = grid * p;
  const pixels = seen === imageSize ? input : g.node('Slice', [input, g.int64s([0, 0]), g.int64s([seen, seen]), g.int64s([2, 3])]); // [N, 3, seen, seen]
  // The patch conv (stride = kernel = p) as one Gemm over non-overlapping patches, bias fused, as the ViT's export.
  const x = g.inScope('embeddings', () => {
    const patchRows = g.node('Reshape', [pixels, g.int64s([-1, 3, grid, p, grid, p])]); // [N, 3, gy, py, gx, px]
    const patched = g.node('Transpose', [patchRows], { perm: intsAttribute([0, 2, 4, 1, 3, 5]) }); // [N, gy, gx, 3, py, px]
    const flat = g.node('Reshape', [patched, g.int64s([-1, 3 * p * p])]); // [N*P, 3*p*p]
    const embedded = linearNode(g, flat, w.get('embeddings.patch_embedding.weight', [width, 3 * p * p]), w.get('embeddings.patch_embedding.bias', [width])); // [N*P, D]
    const positioned = g.node('Add', [g.node('Reshape', [embedded, g.int64s([-1, patches, width])]), w.get('embeddings.position_embedding.weight', [patches, width])]); // [N, P, D]
    return g.node('Reshape', [positioned, g.int64s([-1, width])]); // [N*P, D]
  });
  const spec = { ...vision, naming: TRANSFORMERS_BLOCK_NAMING, sequenceShape: (dims: readonly number[]) => g.int64s([-1, patches, ...dims]) };
  const encoded = g.inScope('encoder', () => transformerGraph(g, w.scoped('encoder.'), x, spec)); // [N*P, D]
  const tokens = g.node('Reshape', [layerNormNode(g, w, encoded, 'post_layernorm', width, vision.layerNormEps), g.int64s([-1, patches, width])]); // [N, P, D]

  g.inScope('head', () => {
    const h = w.scoped('head.');
    const dh = width / heads;
    // The probe's query is a constant [1, D] (onnxruntime folds this Gemm); scaled by dh^-0.5 as torch scales q.
    const rows = (name: string, part: 'q' | 'k' | 'v', dims: readonly number[]) => {
      const begin = ['q', 'k', 'v'].indexOf(part) * width;
      return h.rows(`attention.${name}`, part, begin, begin + width, dims);
    };
    const probe = g.node('Reshape', [h.get('probe', [1, 1, width]), g.int64s([1, width])]); // [1, D]
    const q = linearNode(g, probe, rows('in_proj_weight', 'q', [width, width]), rows('in_proj_bias', 'q', [width]), dh ** -0.5); // [1, D]
    const attended = singleQueryAttention(g, tokens, q, {
      width,
      heads,
      keyWeight: rows('in_proj_weight', 'k', [heads, dh, width]),
      valueWeight: rows('in_proj_weight', 'v', [heads, dh, width]),
      valueBias: rows('in_proj_bias', 'v', [width]),
    }); // [N, D]
    const a = linearNode(g, attended, h.get('attention.out_proj.weight', [width, width]), h.get('attention.out_proj.bias', [width])); // [N, D]
    const mlp = siglipMlpNode(g, h, layerNormNode(g, h, a, 'layernorm', width, vision.layerNormEps), vision);
    g.node('Add', [a, mlp], {}, 'image_embeds'); // a + mlp(layernorm(a)): [N, D]
  });
  g.output('image_embeds', 'float32', ['batch', width]);
}
