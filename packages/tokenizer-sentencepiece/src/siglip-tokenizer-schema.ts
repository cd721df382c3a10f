import { z } from '@clipkit/core';

/** The `tokenizer` section for `type: "siglip"`: transformers' SiglipTokenizer over SentencePiece. */
export const siglipTokenizerSchema = z.strictObject({
  type: z.literal('siglip'),
  path: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      'A spiece.model, a tokenizer.json (Unigram), or a folder holding either (with its tokenizer_config.json and special_tokens_map.json), ' +
        'relative to the config file. No vocabulary is bundled: null is an error when text is tokenized. Default null.',
    ),
});

/** A validated siglip tokenizer section. */
export type SiglipTokenizerConfig = z.output<typeof siglipTokenizerSchema>;
