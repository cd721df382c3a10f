import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ClipkitError, type Tokenizer } from '@clipkit/core';
import { TextTooLongError as BpeTextTooLongError } from '@clipkit/text-transformer';
import { TextTooLongError as SentencePieceTextTooLongError } from '@clipkit/tokenizer-sentencepiece';
import { loadTokenizerFiles } from '../inference/load-tokenizer-files.js';

export interface TokenizeCommandOptions {
  tokenizer?: string;
  /** Default: the tokenizer's own (77 for CLIP, model_max_length for SentencePiece). */
  contextLength?: number;
  truncate: boolean;
  jsonl?: boolean;
}

/** Output lines written at a time: enough to amortise the write, few enough to stream. */
const LINES_PER_WRITE = 512;

/** `clipkit tokenize`: stdin's texts to token rows on stdout, with the given tokenizer (CLIP BPE or SentencePiece) or the bundled OpenAI vocabulary. */
export async function tokenize(options: TokenizeCommandOptions): Promise<void> {
  await tokenizeStream(loadTokenizerFiles(options.tokenizer), options);
}

async function tokenizeStream(tokenizer: Tokenizer, options: TokenizeCommandOptions): Promise<void> {
  let out = '';
  let pending = 0;
  let lineNumber = 0;
  const write = async () => {
    if (!process.stdout.write(out)) await once(process.stdout, 'drain');
    out = '';
    pending = 0;
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    try {
      out += tokenizeLine(tokenizer, options.jsonl ? parseJsonLine(line, lineNumber) : line, lineNumber, options);
    } catch (error) {
      await write(); // the rows of the lines before the bad one
      throw error;
    }
    if (++pending === LINES_PER_WRITE) await write();
  }
  await write();
}

function parseJsonLine(line: string, lineNumber: number): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ClipkitError(`stdin line ${lineNumber}: not valid JSON (${(error as Error).message}); with --jsonl every line is a JSON string`);
  }
  if (typeof value !== 'string') throw new ClipkitError(`stdin line ${lineNumber}: expected a JSON string, got ${typeof value}; with --jsonl every line is a JSON string`);
  return value;
}

/** The row of one text as a JSON array and a line break. */
function tokenizeLine(tokenizer: Tokenizer, text: string, lineNumber: number, options: TokenizeCommandOptions): string {
  const { contextLength, truncate } = options;
  try {
    return `[${tokenizer.tokenize([text], { contextLength, truncate }).join(',')}]\n`;
  } catch (error) {
    if (error instanceof BpeTextTooLongError || error instanceof SentencePieceTextTooLongError) {
      const specials = tokenizer.startOfTextId < 0 ? 'end included' : 'start and end included';
      throw new ClipkitError(
        `stdin line ${lineNumber}: the text is ${error.length} tokens long (${specials}), more than the context length ${error.contextLength}; shorten it, raise --context-length or drop --no-truncate`,
      );
    }
    throw error;
  }
}
