import { dataTypeAttribute, intAttribute, type OnnxGraphBuilder, type OnnxWeights } from '@clipkit/core';
import { layerNormNode, transformerGraph } from '@clipkit/layers';
import type { TextTransformerConfig } from './text-transformer-schema.js';

/** CLIP.build_attention_mask: -inf above the diagonal, so token t attends to tokens <= t. */
function causalMaskValues(tokens: number): Float32Array {
  const mask = new Float32Array(tokens * tokens);
  for (let i = 0; i < tokens; i++) mask.fill(-Infinity, i * tokens + i + 1, (i + 1) * tokens);
  return mask;
}

/**
 * OpenAI CLIP's encode_text (clip/model.py) as ONNX nodes: input_ids [N, L] (int64) -> text_embeds
 * [N, embedDim]. Features are pooled at the argmax of the ids (the end-of-text token has the largest id),
 * or at the first `eosTokenId` when the config sets one (as Hugging Face transformers).
 *
 * Under the causal mask no token sees a later one, so the tokens after the last pooled token of a batch
 * (the padding of short captions) cannot change any output: the graph computes only the first
 * T = max(pooled index) + 1 positions. Same outputs as the full context, at the cost of the texts' length.
 */
export function textGraph(text: TextTransformerConfig, embedDim: number, g: OnnxGraphBuilder, w: OnnxWeights): void {
  const { contextLength, width } = text;
  const ids = g.input('input_ids', 'int64', ['batch', contextLength]);

  const eotIndex = g.inScope('eot_index', () => {
    // ArgMax returns the first maximum, so both forms pick the first end-of-text token.
    const scores = text.eosTokenId === null ? ids : g.node('Cast', [g.node('Equal', [ids, g.int64s([text.eosTokenId])])], { to: dataTypeAttribute('int32') });
    return g.node('ArgMax', [scores], { axis: intAttribute(1), keepdims: intAttribute(1) }); // [N, 1]
  });
  const [used, length, sequenceShape] = g.inScope('used_tokens', () => {
    const last = g.node('ReduceMax', [eotIndex], { keepdims: intAttribute(0) }); // []
    const count = g.node('Reshape', [g.node('Add', [last, g.int64Scalar(1)]), g.int64s([1])]); // [1]: T
    const kept = g.node('Slice', [ids, g.int64s([0]), count, g.int64s([1])]); // [N, T]
    const batchAndLength = g.node('Shape', [kept]); // [2]: N, T
    const shapes = new Map<string, string>();
    const shape = (dims: readonly number[]) => {
      const key = dims.join(',');
      if (!shapes.has(key)) shapes.set(key, g.node('Concat', [batchAndLength, g.int64s(dims)], { axis: intAttribute(0) }));
      return shapes.get(key)!;
    };
    return [kept, count, shape] as const;
  });

  const tokenEmbeddings = g.node('Gather', [w.get('token_embedding.weight', [text.vocabSize, width]), used], { axis: intAttribute(0) }); // [N, T, D]
  const positions = g.node('Slice', [w.get('positional_embedding', [contextLength, width]), g.int64s([0]), length, g.int64s([0])]); // [T, D]
  const x = g.node('Reshape', [g.node('Add', [tokenEmbeddings, positions]), g.int64s([-1, width])]); // [N*T, D]

  const fullMask = g.floats('attn_mask', [contextLength, contextLength], causalMaskValues(contextLength));
  const mask = g.node('Slice', [fullMask, g.int64s([0, 0]), g.node('Concat', [length, length], { axis: intAttribute(0) }), g.int64s([0, 1])]); // [T, T]
  const maskRow = g.node('Unsqueeze', [g.node('Gather', [mask, eotIndex], { axis: intAttribute(0) }), g.int64s([1])]); // [N, 1, 1, T]
  const pick = (t: string) => g.node('GatherND', [g.node('Reshape', [t, sequenceShape([width])]), eotIndex], { batch_dims: intAttribute(1) }); // [N, D]

  const spec = { ...text, sequenceShape, mask };
  const pooled = g.inScope('transformer', () => transformerGraph(g, w.scoped('transformer.'), x, spec, { pick, maskRow })); // [N, D]
  // ln_final is per token, so applying it to the pooled token alone equals clip/model.py's order.
  const final = layerNormNode(g, w, pooled, 'ln_final', width, text.layerNormEps);
  g.node('MatMul', [final, w.get('text_projection', [width, embedDim])], {}, 'text_embeds'); // [N, embedDim]
  g.output('text_embeds', 'float32', ['batch', embedDim]);
}
