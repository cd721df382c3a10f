import { SeededRandom } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { preTokenize } from './pre-tokenize.js';

// Truth: simple_tokenizer's pattern run by the regex module (re.IGNORECASE) on the same lowercase inputs.
// Tolerance: exact token lists.

describe('preTokenize (simple_tokenizer.pat)', () => {
  it('splits contractions, letter runs, single digits and punctuation runs', () => {
    expect(preTokenize("it's 42 ...'re <|endoftext|>!<|startoftext|>")).toEqual(['it', "'s", '4', '2', "...'", 're', '<|endoftext|>', '!<|', 'startoftext', '|>']);
    expect(preTokenize("'single y'all can't've")).toEqual(["'s", 'ingle', 'y', "'", 'all', 'can', "'t", "'ve"]);
  });

  it('matches "\'s" with a long s and drops U+0345, as re.IGNORECASE does', () => {
    expect(preTokenize("it'\u017f a\u0345b")).toEqual(['it', "'\u017f", 'a', 'b']);
  });

  it('uses Unicode letters and numbers beyond ASCII', () => {
    expect(preTokenize('caf\u00e9 \u0669\u0663 \u65e5\u672c\u8a9e\u3002')).toEqual(['caf\u00e9', '\u0669', '\u0663', '\u65e5\u672c\u8a9e', '\u3002']);
  });

  it('splits ASCII text (its fast path) as the regex does (a trailing non-ASCII word forces the regex)', () => {
    const rng = new SeededRandom(11);
    const alphabet = "ab z09 '\t.,!<|>-sdtmlrev";
    for (let n = 0; n < 500; n++) {
      const text = Array.from({ length: rng.int(25) }, () => alphabet[rng.int(alphabet.length)]).join('');
      expect([...preTokenize(text), '\u00e9']).toEqual(preTokenize(`${text} \u00e9`));
    }
  });
});
