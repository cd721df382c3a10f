import { ClipkitError, type TokenizeOptions, type Tokenizer } from '@clipkit/core';
import { canonicalizeText, pythonLowerEachChar, pythonLstrip, pythonRstrip } from './python-text.js';
import type { SentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceProcessor } from './sentencepiece-processor.js';
import { TextTooLongError } from './text-too-long-error.js';
import { toWellFormed } from './utf8.js';

/** A special token and how it eats the whitespace beside it (transformers' AddedToken). */
export interface AddedToken {
  readonly content: string;
  /** Strip whitespace from the end of the text before the token. */
  readonly lstrip: boolean;
  /** Strip whitespace from the start of the text after the token. */
  readonly rstrip: boolean;
}

/** SiglipTokenizer's arguments (tokenizer_config.json); each default is SiglipTokenizer.__init__'s. */
export interface SiglipTokenizerOptions {
  /** Lowercase the text, special tokens excepted. Default true. */
  doLowerCase?: boolean;
  /** Context length of tokenize() when none is given. Default 64. */
  modelMaxLength?: number;
  /** Appended to every text; a string means lstrip = rstrip = true. Default "</s>". */
  eosToken?: string | AddedToken;
  /** Default "<unk>". */
  unkToken?: string | AddedToken;
  /** Fills rows after the end token. Default "</s>" (SigLIP pads with its end token). */
  padToken?: string | AddedToken;
  /** More special tokens, kept whole when they appear in text. Default none. */
  additionalSpecialTokens?: readonly (string | AddedToken)[];
  /** decode() applies transformers' clean_up_tokenization (" ." -> ".", ...). Default false. */
  cleanUpTokenizationSpaces?: boolean;
}

const SPIECE_UNDERLINE = '\u2581';

function addedToken(token: string | AddedToken): AddedToken {
  // SiglipTokenizer.__init__ wraps string tokens in AddedToken(lstrip=True, rstrip=True).
  return typeof token === 'string' ? { content: token, lstrip: true, rstrip: true } : token;
}

/** A piece of text between special tokens, or a special token. */
interface Part {
  text: string;
  special: AddedToken | undefined;
}

/**
 * transformers' SiglipTokenizer (models/siglip/tokenization_siglip.py at 095a021d) over an exact port of
 * sentencepiece: the text gets a leading "▁", is lowercased outside special tokens and split at them (each
 * eating the whitespace beside it); each other part has its ASCII punctuation removed and whitespace collapsed
 * (canonicalize_text) and is encoded by sentencepiece without the dummy prefix, behind "<unk>" whose pieces are
 * then dropped. The end token is appended unless the ids already end with it.
 *
 * SigLIP has no start token: `startOfTextId` is -1 and rows are [ids..., eos, pad...].
 */
export class SiglipTokenizer implements Tokenizer {
  readonly vocabSize: number;
  /** -1: SigLIP's text tower takes no start token. */
  readonly startOfTextId = -1;
  readonly endOfTextId: number;
  readonly padId: number;
  readonly unkId: number;
  readonly modelMaxLength: number;
  readonly processor: SentencePieceProcessor;
  private readonly doLowerCase: boolean;
  private readonly cleanUpTokenizationSpaces: boolean;
  private readonly unkToken: string;
  /** Special tokens in all_special_tokens order (eos, unk, pad, additional), which the lowercasing regex tries in turn. */
  private readonly specialsInOrder: AddedToken[];
  /** The same, longest first: the order in which the leftmost-longest split tries them. */
  private readonly specialsByLength: AddedToken[];
  private readonly specialIds = new Map<string, number>();
  private readonly specialsById = new Map<number, string>();
  private readonly unkTokenLength: number;

  constructor(model: SentencePieceModel, options: SiglipTokenizerOptions = {}) {
    // get_spm_processor: the model is loaded with normalizer_spec.add_dummy_prefix = False.
    this.processor = new SentencePieceProcessor(model, { addDummyPrefix: false });
    this.vocabSize = this.processor.vocabSize;
    this.doLowerCase = options.doLowerCase ?? true;
    this.cleanUpTokenizationSpaces = options.cleanUpTokenizationSpaces ?? false;
    this.modelMaxLength = options.modelMaxLength ?? 64;
    if (!Number.isInteger(this.modelMaxLength) || this.modelMaxLength < 1) {
      throw new ClipkitError(`${model.source}: model_max_length must be an integer >= 1, got ${this.modelMaxLength}`);
    }
    const eos = addedToken(options.eosToken ?? '</s>');
    const unk = addedToken(options.unkToken ?? '<unk>');
    const pad = addedToken(options.padToken ?? '</s>');
    const tokens = [eos, unk, pad, ...(options.additionalSpecialTokens ?? []).map(addedToken)];
    const byContent = new Map<string, AddedToken>();
    for (const token of tokens) if (!byContent.has(token.content)) byContent.set(token.content, token);
    this.specialsInOrder = [...byContent.values()];
    this.specialsByLength = [...this.specialsInOrder].sort((a, b) => b.content.length - a.content.length);
    for (const { content } of this.specialsInOrder) {
      const id = this.processor.pieceToId(content);
      if (content === '' || this.processor.idToPiece(id) !== content) {
        throw new ClipkitError(`${model.source}: special token ${JSON.stringify(content)} is not a piece of the model; name one of its pieces (e.g. </s>, <unk>)`);
      }
      this.specialIds.set(content, id);
      this.specialsById.set(id, content);
    }
    this.endOfTextId = this.specialIds.get(eos.content)!;
    this.padId = this.specialIds.get(pad.content)!;
    this.unkId = this.specialIds.get(unk.content)!;
    this.unkToken = unk.content;
    this.unkTokenLength = this.processor.encode(this.unkToken).length;
  }

  /**
   * SiglipTokenizer.tokenize(text): the pieces and special tokens of a text. A lone surrogate counts as U+FFFD
   * (Python's sentencepiece refuses such text with a UnicodeEncodeError).
   */
  pieces(text: string): string[] {
    const marked = SPIECE_UNDERLINE + toWellFormed(text).replaceAll(SPIECE_UNDERLINE, ' ');
    const parts = splitOnSpecials(this.lowercase(marked), this.specialsByLength);
    this.stripAroundSpecials(parts);
    const pieces: string[] = [];
    for (const part of parts) {
      if (part.text === '') continue;
      if (part.special) pieces.push(part.text);
      else for (const piece of this.tokenizeText(part.text)) pieces.push(piece);
    }
    // A "▁" left alone before a special token is dropped (SiglipTokenizer.tokenize).
    if (pieces.length > 1 && pieces[0] === SPIECE_UNDERLINE && this.specialIds.has(pieces[1])) pieces.shift();
    return pieces;
  }

  /** Token ids of one text, without the end token (special tokens written in the text are kept). */
  encode(text: string): number[] {
    return this.pieces(text).map((piece) => this.specialIds.get(piece) ?? this.processor.pieceToId(piece));
  }

  /**
   * SiglipTokenizer.decode(ids): special tokens by name, each run of other pieces through sentencepiece's
   * decoder, a space before each special token that follows a piece, the ends stripped.
   */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    let run: string[] = [];
    let previousIsSpecial = false;
    for (let i = 0; i < ids.length; i++) {
      const special = this.specialsById.get(ids[i]);
      if (special === undefined) {
        run.push(this.pieceOf(ids[i], i));
        previousIsSpecial = false;
        continue;
      }
      if (!previousIsSpecial) text += ' ';
      text += this.processor.decodePieces(run) + special;
      run = [];
      previousIsSpecial = true;
    }
    text = pythonLstrip(pythonRstrip(text + this.processor.decodePieces(run)));
    return this.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
  }

  /**
   * Rows as the model takes them, [texts.length, contextLength] row-major: the ids, the end token (unless the
   * ids end with it), then the pad id. A text too long keeps its first contextLength - 1 ids and gets the end
   * token (prepare_for_model with truncation=True), or is an error with `truncate: false`.
   */
  tokenize(texts: readonly string[], options: TokenizeOptions = {}): Int32Array {
    const { contextLength = this.modelMaxLength, truncate = true } = options;
    if (!Number.isInteger(contextLength) || contextLength < 1) {
      throw new ClipkitError(`tokenize: contextLength must be an integer >= 1 (room for the end token), got ${contextLength}`);
    }
    const rows = new Int32Array(texts.length * contextLength).fill(this.padId); // [N, contextLength]
    texts.forEach((text, row) => {
      let ids = this.encode(text);
      // truncate_sequences removes what exceeds max_length once the end token is counted, before it is added.
      if (truncate && ids.length + 1 > contextLength) ids = ids.slice(0, contextLength - 1);
      if (ids.length === 0 || ids[ids.length - 1] !== this.endOfTextId) ids.push(this.endOfTextId);
      if (ids.length > contextLength) throw new TextTooLongError(row, ids.length, contextLength);
      rows.set(ids, row * contextLength);
    });
    return rows;
  }

  /** The `(special)|(.+?)` lowercasing of PreTrainedTokenizer.tokenize: each character alone, specials kept. */
  private lowercase(text: string): string {
    if (!this.doLowerCase) return text;
    return splitOnSpecials(text, this.specialsInOrder)
      .map((part) => (part.special ? part.text : pythonLowerEachChar(part.text)))
      .join('');
  }

  /** Each special token with rstrip (lstrip) strips the whitespace starting the part after it (ending the part before it). */
  private stripAroundSpecials(parts: Part[]): void {
    for (let i = 0; i < parts.length; i++) {
      const special = parts[i].special;
      if (!special) continue;
      if (special.rstrip && i + 1 < parts.length) parts[i + 1].text = pythonLstrip(parts[i + 1].text);
      if (special.lstrip && i > 0) parts[i - 1].text = pythonRstrip(parts[i - 1].text);
    }
  }

  /** SiglipTokenizer._tokenize: canonicalize, encode behind "<unk>" (no dummy prefix), drop the "<unk>" pieces. */
  private tokenizeText(text: string): string[] {
    const pieces = this.processor.encode(this.unkToken + canonicalizeText(text)).map((p) => p.piece);
    return pieces.length >= this.unkTokenLength ? pieces.slice(this.unkTokenLength) : pieces;
  }

  private pieceOf(id: number, position: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new ClipkitError(`decode: id ${id} at position ${position} is not a token id (0..${this.vocabSize - 1})`);
    return this.processor.idToPiece(id);
  }
}

/**
 * The text cut at its special tokens, scanning left to right and taking at each position the first of
 * `specials` that starts there: longest first for tokens_trie.split, all_special_tokens order for the
 * lowercasing regex's alternation.
 */
function splitOnSpecials(text: string, specials: readonly AddedToken[]): Part[] {
  const parts: Part[] = [];
  let start = 0;
  for (let i = 0; i < text.length; ) {
    const special = specials.find((s) => text.startsWith(s.content, i));
    if (special === undefined) {
      i++;
      continue;
    }
    if (i > start) parts.push({ text: text.slice(start, i), special: undefined });
    parts.push({ text: special.content, special });
    i += special.content.length;
    start = i;
  }
  if (start < text.length) parts.push({ text: text.slice(start), special: undefined });
  return parts;
}

/** transformers' PreTrainedTokenizerBase.clean_up_tokenization. */
function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}
