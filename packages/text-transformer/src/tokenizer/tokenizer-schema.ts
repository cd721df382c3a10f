import { z } from '@clipkit/core';

/** The `tokenizer` section for `type: "clip-bpe"`: OpenAI CLIP's byte-level BPE. */
export const clipBpeSchema = z.strictObject({
  type: z.literal('clip-bpe'),
  path: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      "OpenAI's bpe_simple_vocab_16e6.txt.gz, a vocab.json (merges.txt beside it), a tokenizer.json, or a folder holding them, " +
        'relative to the config file. null: the OpenAI vocabulary bundled with @clipkit/text-transformer. Default null.',
    ),
});

/** A validated clip-bpe tokenizer section. */
export type ClipBpeConfig = z.output<typeof clipBpeSchema>;
