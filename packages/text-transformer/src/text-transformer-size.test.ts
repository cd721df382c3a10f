import { describe, expect, it } from 'vitest';
import { textTransformerSchema } from './text-transformer-schema.js';
import { textTransformerSize } from './text-transformer-size.js';

describe('textTransformerSize', () => {
  it("counts OpenAI CLIP's text tower exactly: 63,428,096 parameters at embedDim 512 (ViT-B/32's 151,277,313 less its visual 87,849,216 and logit scale)", () => {
    const section = textTransformerSchema.parse({ type: 'transformer' }); // OpenAI's defaults: width 512, 12 layers, 77 tokens, 49,408 tokens
    expect(textTransformerSize(section, 512).parameters).toBe(63_428_096);
  });
});
