import { intAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { layerNormNode, TRANSFORMERS_BLOCK_NAMING, transformerGraph } from '@clipkit/layers';
import type { SiglipTextConfig } from './siglip-text-schema.js';

/**
 * transformers' SiglipTextTransformer (modeling_siglip.py) as ONNX nodes: input_ids [N, L] (int64, L the
 * context length) -> text_embeds [N, embedDim], pooled at the last position. There is no mask, so the last
 * block is computed for the last position only (transformerGraph's pooled token).
 */
export function siglipTextGraph(text: SiglipTextConfig, embedDim: number, g: OnnxGraphBuilder, w: OnnxWeights): void {
  const { contextLength: L, width } = text;
  const ids = g.input('input_ids', 'int64', ['batch', L]);
  const x = g.inScope('embeddings', () => {
    const tokens = g.node('Gather', [w.get('embeddings.token_embedding.weight', [text.vocabSize, width]), ids], { axis: intAttribute(0) }); // [N, L, D]
    const positioned = g.node('Add', [tokens, w.get('embeddings.position_embedding.weight', [L, width])]); // [N, L, D]
    return g.node('Reshape', [positioned, g.int64s([-1, width])]); // [N*L, D]
  });
  const sequenceShape = (dims: readonly number[]) => g.int64s([-1, L, ...dims]);
  const last = (t: string) => g.node('Gather', [g.node('Reshape', [t, sequenceShape([width])]), g.int64Scalar(L - 1)], { axis: intAttribute(1) }); // [N, D]
  const spec = { ...text, naming: TRANSFORMERS_BLOCK_NAMING, sequenceShape };
  const pooled = g.inScope('encoder', () => transformerGraph(g, w.scoped('encoder.'), x, spec, { pick: last })); // [N, D]
  // final_layer_norm is per token, so applying it to the last token alone equals transformers' order.
  const final = layerNormNode(g, w, pooled, 'final_layer_norm', width, text.layerNormEps);
  g.node('Gemm', [final, w.get('head.weight', [embedDim, width]), w.get('head.bias', [embedDim])], { transB: intAttribute(1) }, 'text_embeds'); // [N, embedDim]
  g.output('text_embeds', 'float32', ['batch', embedDim]);
}
