import { ClipkitError, definePlugin, TOKENIZER, type Tokenizer } from '@clipkit/core';
import { loadSentencePieceTokenizer } from './load-sentencepiece-tokenizer.js';
import { type SiglipTokenizerConfig, siglipTokenizerSchema } from './siglip-tokenizer-schema.js';

/**
 * `tokenizer.type: "siglip"`: SiglipTokenizer from `tokenizer.path` (a Hugging Face SigLIP folder gets its own
 * folder). Built when text is first tokenized, so a model folder without tokenizer files still embeds images.
 */
export const siglipTokenizerPlugin = definePlugin<Tokenizer, SiglipTokenizerConfig>({
  slot: TOKENIZER,
  type: 'siglip',
  schema: siglipTokenizerSchema,
  create: (section, context) => {
    if (section.path === null) {
      throw new ClipkitError(
        "tokenizer.path is null: SigLIP's tokenizer has no bundled vocabulary; set tokenizer.path to a spiece.model, a tokenizer.json or a folder holding one (a SigLIP model folder from the Hugging Face hub has them)",
      );
    }
    const tokenizer = loadSentencePieceTokenizer(section.path);
    context.log(`tokenizer: SigLIP SentencePiece, ${tokenizer.vocabSize} tokens, ${tokenizer.modelMaxLength} per text, from ${tokenizer.processor.model.source}`);
    return tokenizer;
  },
});

/** Every plug-in of this package. */
export const plugins = [siglipTokenizerPlugin];
