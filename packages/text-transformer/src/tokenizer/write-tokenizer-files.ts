import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ClipkitError, writeContentAtomic } from '@clipkit/core';
import { type BpeVocabulary, END_OF_TEXT, openAiVocabulary, START_OF_TEXT } from './bpe-vocabulary.js';

// The formats loadClipTokenizer reads, for a vocabulary trained here (or any other): each file is written
// to a temporary name and renamed, so a crash never leaves half a file.

const MERGES_HEADER = '#version: 0.2';

function mergeLines(vocabulary: BpeVocabulary): string {
  return [MERGES_HEADER, ...vocabulary.merges.map(([left, right]) => `${left} ${right}`)].join('\n');
}

/**
 * OpenAI's format (bpe_simple_vocab_16e6.txt.gz: a header line, then one merge per line; gzipped when the
 * path ends in .gz). It stores merges only, so the vocabulary must have simple_tokenizer's id layout (as
 * trainBpe's has). No trailing newline: simple_tokenizer reads every line after the header as a merge.
 */
export async function writeOpenAiMerges(path: string, vocabulary: BpeVocabulary): Promise<void> {
  const layout = openAiVocabulary(vocabulary.merges).tokens;
  if (layout.length !== vocabulary.tokens.length || layout.some((token, id) => token !== vocabulary.tokens[id])) {
    throw new ClipkitError(
      `${path}: this vocabulary's ids do not follow simple_tokenizer's layout (bytes, bytes + "</w>", merges, special tokens), which a merges-only file implies; write vocab.json + merges.txt or tokenizer.json instead`,
    );
  }
  const text = mergeLines(vocabulary);
  await writeContentAtomic(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

/** Hugging Face's CLIPTokenizer files: `dir`/vocab.json (token -> id) and `dir`/merges.txt. */
export async function writeHfVocabulary(dir: string, vocabulary: BpeVocabulary): Promise<void> {
  await writeContentAtomic(join(dir, 'vocab.json'), JSON.stringify(vocabObject(vocabulary)));
  await writeContentAtomic(join(dir, 'merges.txt'), `${mergeLines(vocabulary)}\n`);
}

/** A Hugging Face tokenizers file describing CLIP's pipeline (as openai/clip-vit-base-patch32's tokenizer.json). */
export async function writeTokenizerJson(path: string, vocabulary: BpeVocabulary): Promise<void> {
  const vocab = vocabObject(vocabulary);
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(START_OF_TEXT), special(END_OF_TEXT)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: [END_OF_TEXT, vocab[END_OF_TEXT]], cls: [START_OF_TEXT, vocab[START_OF_TEXT]], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: END_OF_TEXT,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: vocabulary.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
  await writeContentAtomic(path, JSON.stringify(json));
}

function vocabObject(vocabulary: BpeVocabulary): Record<string, number> {
  const vocab: Record<string, number> = {};
  vocabulary.tokens.forEach((token, id) => {
    if (token !== undefined) vocab[token] = id;
  });
  return vocab;
}
