import { type Command, InvalidArgumentError } from 'commander';
import type { TokenizeCommandOptions } from '../actions/tokenize.js';

/** `clipkit tokenize`: CLIP or SigLIP token ids of stdin's lines. */
export function registerTokenizeCommand(program: Command): void {
  program
    .command('tokenize')
    .description(
      'tokenize texts from stdin (one per line); prints one JSON array of ids per line, padded to the context length: CLIP\'s BPE gives start, ids, end, zero padding (clip.tokenize), SigLIP\'s SentencePiece ids, end, pad ids (padding="max_length")',
    )
    .option(
      '--tokenizer <file|dir>',
      'bpe_simple_vocab_16e6.txt.gz, vocab.json (merges.txt beside it), tokenizer.json, spiece.model, or a directory holding them (default: the OpenAI vocabulary bundled with clipkit)',
    )
    .option('--context-length <n>', "ids per row, special tokens included (default: the tokenizer's own, 77 for CLIP, model_max_length for SentencePiece)", parseContextLength)
    .option('--no-truncate', 'fail on a text longer than the context length instead of cutting it (to context length - 1 tokens and the end token)')
    .option('--jsonl', 'each input line is a JSON string (for texts holding line breaks)')
    .action(async (options: TokenizeCommandOptions) => (await import('../actions/tokenize.js')).tokenize(options));
}

function parseContextLength(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new InvalidArgumentError('must be an integer >= 2 (room for the start and end tokens).');
  return n;
}
