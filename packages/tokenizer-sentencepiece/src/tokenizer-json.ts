import { writeContentAtomic } from '@clipkit/core';
import { checkModel, DEFAULT_NORMALIZER_SPEC, DEFAULT_TRAINER_SPEC, PieceType, type SentencePiece, type SentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';

// Hugging Face tokenizers' tokenizer.json for a SentencePiece unigram model, as transformers' SpmConverter /
// T5Converter (convert_slow_tokenizer.py) writes it, in the serialization of tokenizers 0.2x: Unigram model
// (vocab of [piece, score], unk_id), Precompiled normalizer (the charsmap in base64) followed by the
// converter's whitespace steps, Metaspace pre-tokenizer and decoder, and a TemplateProcessing that appends
// the end token.

const SPACE_SYMBOL = '\u2581';
/** The whitespace steps SpmConverter.normalizer writes after Precompiled: they stand for remove_extra_whitespaces. */
const STRIP_RIGHT = { type: 'Strip', strip_left: false, strip_right: true };
const COLLAPSE_SPACES = { type: 'Replace', pattern: { Regex: ' {2,}' }, content: SPACE_SYMBOL };

export interface TokenizerJsonOptions {
  /** The token the post-processor appends. Default "</s>". */
  eosToken?: string;
}

/** The tokenizer.json of a SentencePiece unigram model. Control, unknown and user-defined pieces become added tokens. */
export function tokenizerJsonFromSentencePieceModel(model: SentencePieceModel, options: TokenizerJsonOptions = {}): Record<string, unknown> {
  const eos = options.eosToken ?? '</s>';
  const eosId = model.pieces.findIndex((p) => p.piece === eos);
  if (eosId === -1) throw new SentencePieceModelError(model.source, `the end token ${JSON.stringify(eos)} is not a piece of the model`);
  const { precompiledCharsmap, addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = model.normalizerSpec;
  if (!escapeWhitespaces) throw new SentencePieceModelError(model.source, 'escape_whitespaces is off, which a Metaspace pre-tokenizer cannot express');
  if (model.trainerSpec.treatWhitespaceAsSuffix)
    throw new SentencePieceModelError(model.source, 'treat_whitespace_as_suffix is on, which a Metaspace pre-tokenizer cannot express');
  const normalizers = [
    ...(precompiledCharsmap.length > 0 ? [{ type: 'Precompiled', precompiled_charsmap: Buffer.from(precompiledCharsmap).toString('base64') }] : []),
    ...(removeExtraWhitespaces ? [STRIP_RIGHT, COLLAPSE_SPACES] : []),
  ];
  const metaspace = { type: 'Metaspace', replacement: SPACE_SYMBOL, prepend_scheme: addDummyPrefix ? 'always' : 'never', split: true };
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const end = { SpecialToken: { id: eos, type_id: 0 } };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: model.pieces.flatMap(({ piece, type }, id) =>
      type === PieceType.CONTROL || type === PieceType.UNKNOWN || type === PieceType.USER_DEFINED
        ? [{ id, content: piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type !== PieceType.USER_DEFINED }]
        : [],
    ),
    normalizer: normalizers.length > 0 ? { type: 'Sequence', normalizers } : null,
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [sequence('A'), end],
      pair: [sequence('A'), end, sequence('B'), end],
      special_tokens: { [eos]: { id: eos, ids: [eosId], tokens: [eos] } },
    },
    decoder: metaspace,
    model: {
      type: 'Unigram',
      unk_id: model.pieces.findIndex((p) => p.type === PieceType.UNKNOWN),
      vocab: model.pieces.map((p) => [p.piece, p.score]),
      byte_fallback: false,
    },
  };
}

/** Writes tokenizerJsonFromSentencePieceModel's file (through a temporary file, renamed). */
export async function writeTokenizerJson(path: string, model: SentencePieceModel, options: TokenizerJsonOptions = {}): Promise<void> {
  await writeContentAtomic(path, JSON.stringify(tokenizerJsonFromSentencePieceModel(model, options)));
}

/**
 * The SentencePiece model inside a tokenizer.json: pieces and scores from the Unigram model (scores rounded to
 * float32, as a spiece.model stores them), types from unk_id and added_tokens (special -> CONTROL, others ->
 * USER_DEFINED), the normalizer spec from the Precompiled charsmap, the converter's whitespace steps and the
 * Metaspace pre-tokenizer. The result runs through sentencepiece's own normalizer and Viterbi search, as the
 * slow tokenizers do; the post-processor and decoder are not read (SiglipTokenizer appends the end token).
 * Anything the converters do not write is rejected rather than approximated.
 */
export function sentencePieceModelFromTokenizerJson(json: unknown, source: string): SentencePieceModel {
  const fail = (message: string): never => {
    throw new SentencePieceModelError(source, message);
  };
  if (!isObject(json)) return fail('not a tokenizer.json: expected a JSON object');
  const model = json.model;
  if (!isObject(model) || model.type !== 'Unigram') return fail(`model.type must be "Unigram", got ${JSON.stringify(isObject(model) ? model.type : model)}`);
  if (model.byte_fallback === true) fail('model.byte_fallback is true, which this port does not run');
  if (!Array.isArray(model.vocab) || model.vocab.length === 0) return fail('model.vocab must be a non-empty array of [piece, score]');
  const unkId = model.unk_id;
  if (!Number.isInteger(unkId) || (unkId as number) < 0 || (unkId as number) >= model.vocab.length)
    fail(`model.unk_id must be the id of a vocab entry, got ${JSON.stringify(unkId)}`);

  const addedTypes = new Map<number, PieceType>();
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail('added_tokens must be an array');
  for (const [i, token] of (added as unknown[]).entries()) {
    if (!isObject(token) || !Number.isInteger(token.id) || typeof token.content !== 'string') return fail(`added_tokens[${i}] must have an integer id and a string content`);
    const entry = (model.vocab as unknown[])[token.id as number];
    if (!Array.isArray(entry) || entry[0] !== token.content) fail(`added_tokens[${i}] (${JSON.stringify(token.content)}, id ${token.id}) is not model.vocab[${token.id}]`);
    addedTypes.set(token.id as number, token.special === false ? PieceType.USER_DEFINED : PieceType.CONTROL);
  }

  const pieces: SentencePiece[] = (model.vocab as unknown[]).map((entry, id) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'number' || !Number.isFinite(entry[1])) {
      return fail(`model.vocab[${id}] must be [piece, score], got ${JSON.stringify(entry)}`);
    }
    const type = id === unkId ? PieceType.UNKNOWN : (addedTypes.get(id) ?? PieceType.NORMAL);
    return { piece: entry[0], score: Math.fround(entry[1]), type };
  });

  const { precompiledCharsmap, removeExtraWhitespaces } = readNormalizer(json.normalizer, fail);
  const addDummyPrefix = readMetaspace(json.pre_tokenizer, fail);
  const result: SentencePieceModel = {
    pieces,
    trainerSpec: DEFAULT_TRAINER_SPEC,
    normalizerSpec: { ...DEFAULT_NORMALIZER_SPEC, precompiledCharsmap, removeExtraWhitespaces, addDummyPrefix },
    source,
  };
  checkModel(result);
  return result;
}

/** A Precompiled normalizer, alone or in a Sequence, optionally followed by the converter's whitespace steps. */
function readNormalizer(normalizer: unknown, fail: (message: string) => never): { precompiledCharsmap: Uint8Array; removeExtraWhitespaces: boolean } {
  const inSequence = isObject(normalizer) && normalizer.type === 'Sequence';
  const steps = normalizer === null || normalizer === undefined ? [] : inSequence ? normalizer.normalizers : [normalizer];
  if (!Array.isArray(steps)) return fail('normalizer.normalizers must be an array');
  let precompiledCharsmap = new Uint8Array(0);
  let whitespaceSteps = 0;
  steps.forEach((step, i) => {
    const where = inSequence ? `normalizer.normalizers[${i}]` : 'normalizer';
    if (isObject(step) && step.type === 'Precompiled' && i === 0) {
      if (typeof step.precompiled_charsmap !== 'string') fail(`${where}.precompiled_charsmap must be a base64 string`);
      precompiledCharsmap = new Uint8Array(Buffer.from(step.precompiled_charsmap as string, 'base64'));
    } else if (sameJson(step, STRIP_RIGHT) || sameJson(step, COLLAPSE_SPACES) || sameJson(step, { ...COLLAPSE_SPACES, content: ' ' })) whitespaceSteps++;
    else {
      fail(
        `${where} (${JSON.stringify(step).slice(0, 80)}) is not supported: this port runs sentencepiece's normalizer, i.e. a Precompiled charsmap followed by SpmConverter's Strip / Replace(" {2,}") whitespace steps`,
      );
    }
  });
  return { precompiledCharsmap, removeExtraWhitespaces: whitespaceSteps > 0 };
}

/** A Metaspace pre-tokenizer with replacement "▁"; whether it prepends "▁" (prepend_scheme, or add_prefix_space in older files). */
function readMetaspace(preTokenizer: unknown, fail: (message: string) => never): boolean {
  if (!isObject(preTokenizer) || preTokenizer.type !== 'Metaspace' || preTokenizer.replacement !== SPACE_SYMBOL) {
    return fail(`pre_tokenizer must be a Metaspace with replacement "${SPACE_SYMBOL}", got ${JSON.stringify(preTokenizer)?.slice(0, 80)}`);
  }
  const scheme = preTokenizer.prepend_scheme ?? (preTokenizer.add_prefix_space === false ? 'never' : 'always');
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') fail(`pre_tokenizer.prepend_scheme must be "always", "first" or "never", got ${JSON.stringify(scheme)}`);
  return scheme !== 'never';
}

function sameJson(a: unknown, b: unknown): boolean {
  return isObject(a) && Object.keys(b as object).every((key) => JSON.stringify(a[key]) === JSON.stringify((b as Record<string, unknown>)[key]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
