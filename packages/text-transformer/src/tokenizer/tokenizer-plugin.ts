import { definePlugin, type Tokenizer, TOKENIZER } from '@clipkit/core';
import { DEFAULT_VOCABULARY_PATH, loadClipTokenizer } from './load-tokenizer.js';

/** The `tokenizer.type: "clip-bpe"` plug-in: `tokenizer.path`'s vocabulary, or OpenAI's bundled one when null. */
export const clipBpeTokenizerPlugin = definePlugin<Tokenizer>({
  slot: TOKENIZER,
  type: 'clip-bpe',
  create: (config, context) => {
    const path = config.tokenizer.path ?? DEFAULT_VOCABULARY_PATH;
    const tokenizer = loadClipTokenizer(path);
    context.log(`tokenizer: CLIP BPE, ${tokenizer.vocabSize} tokens from ${tokenizer.source}`);
    return tokenizer;
  },
});
