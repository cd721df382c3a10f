import { definePlugin, TOKENIZER, type Tokenizer } from '@clipkit/core';
import { DEFAULT_VOCABULARY_PATH, loadClipTokenizer } from './load-tokenizer.js';
import { type ClipBpeConfig, clipBpeSchema } from './tokenizer-schema.js';

/** The `tokenizer.type: "clip-bpe"` plug-in: `tokenizer.path`'s vocabulary, or OpenAI's bundled one when null. */
export const clipBpeTokenizerPlugin = definePlugin<Tokenizer, ClipBpeConfig>({
  slot: TOKENIZER,
  type: 'clip-bpe',
  schema: clipBpeSchema,
  create: (section, context) => {
    const tokenizer = loadClipTokenizer(section.path ?? DEFAULT_VOCABULARY_PATH);
    context.log(`tokenizer: CLIP BPE, ${tokenizer.vocabSize} tokens from ${tokenizer.source}`);
    return tokenizer;
  },
});
