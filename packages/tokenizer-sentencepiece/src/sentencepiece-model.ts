import { readFileSync } from 'node:fs';
import { ProtobufReader, WireType } from './protobuf-reader.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';

// The parts of sentencepiece's ModelProto (src/sentencepiece_model.proto) that encoding and decoding read.

/** ModelProto.SentencePiece.Type. */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

export interface SentencePiece {
  /** The piece's text, "▁" standing for a space. */
  readonly piece: string;
  /** Its log probability (a float32). */
  readonly score: number;
  readonly type: PieceType;
}

/** NormalizerSpec, defaults as in the proto. */
export interface NormalizerSpec {
  /** Name of the rule the charsmap was compiled from ("nmt_nfkc", "identity", ...). Default "". */
  readonly name: string;
  /** The compiled rule: trie size, double-array trie, normalized strings. Empty: no normalization table. */
  readonly precompiledCharsmap: Uint8Array;
  /** Prepend "▁" to every text. Default true. */
  readonly addDummyPrefix: boolean;
  /** Drop leading and trailing whitespace and collapse runs of it. Default true. */
  readonly removeExtraWhitespaces: boolean;
  /** Write spaces as "▁". Default true. */
  readonly escapeWhitespaces: boolean;
}

/** The TrainerSpec fields that change how a trained model encodes or decodes. */
export interface TrainerSpec {
  /** 1 unigram, 2 BPE, 3 word, 4 char; default 1. Only unigram models are run here. */
  readonly modelType: number;
  /** Whitespace is a suffix of pieces ("hello▁") instead of a prefix. Default false. */
  readonly treatWhitespaceAsSuffix: boolean;
  /** Unknown characters become UTF-8 byte pieces. Default false; not run here. */
  readonly byteFallback: boolean;
  /** What decode writes for <unk>. Default " ⁇ ". */
  readonly unkSurface: string;
}

export interface SentencePieceModel {
  readonly pieces: readonly SentencePiece[];
  readonly trainerSpec: TrainerSpec;
  readonly normalizerSpec: NormalizerSpec;
  /** Names the file in errors. */
  readonly source: string;
}

export const DEFAULT_TRAINER_SPEC: TrainerSpec = { modelType: 1, treatWhitespaceAsSuffix: false, byteFallback: false, unkSurface: ' \u2047 ' };
export const DEFAULT_NORMALIZER_SPEC: NormalizerSpec = {
  name: '',
  precompiledCharsmap: new Uint8Array(0),
  addDummyPrefix: true,
  removeExtraWhitespaces: true,
  escapeWhitespaces: true,
};

/** Reads and checks a spiece.model file. */
export function readSentencePieceModel(path: string): SentencePieceModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new SentencePieceModelError(path, `cannot read the file: ${(error as Error).message}`);
  }
  return parseSentencePieceModel(bytes, path);
}

/** Parses a serialized ModelProto and checks it as sentencepiece's ModelInterface::InitializePieces does. */
export function parseSentencePieceModel(bytes: Uint8Array, source: string): SentencePieceModel {
  if (bytes.length === 0) throw new SentencePieceModelError(source, 'the file is empty; expected a serialized sentencepiece ModelProto (spiece.model)');
  const reader = new ProtobufReader(bytes, source);
  const pieces: SentencePiece[] = [];
  let trainerSpec = DEFAULT_TRAINER_SPEC;
  let normalizerSpec = DEFAULT_NORMALIZER_SPEC;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect('pieces (1)', wireType, WireType.LEN);
      pieces.push(readPiece(reader.message(), pieces.length));
    } else if (field === 2) {
      reader.expect('trainer_spec (2)', wireType, WireType.LEN);
      trainerSpec = readTrainerSpec(reader.message(), trainerSpec);
    } else if (field === 3) {
      reader.expect('normalizer_spec (3)', wireType, WireType.LEN);
      normalizerSpec = readNormalizerSpec(reader.message(), normalizerSpec);
    } else if (field === 5) {
      reader.expect('denormalizer_spec (5)', wireType, WireType.LEN);
      if (readNormalizerSpec(reader.message(), DEFAULT_NORMALIZER_SPEC).precompiledCharsmap.length > 0) {
        throw new SentencePieceModelError(source, 'the model has a denormalizer_spec rule, which this port does not run');
      }
    } else reader.skip(wireType);
  }
  const model = { pieces, trainerSpec, normalizerSpec, source };
  checkModel(model);
  return model;
}

function readPiece(reader: ProtobufReader, index: number): SentencePiece {
  let piece = '';
  let score = 0;
  let type: number = PieceType.NORMAL;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect(`pieces[${index}].piece (1)`, wireType, WireType.LEN);
      piece = reader.string();
    } else if (field === 2) {
      reader.expect(`pieces[${index}].score (2)`, wireType, WireType.I32);
      score = reader.float();
    } else if (field === 3) {
      reader.expect(`pieces[${index}].type (3)`, wireType, WireType.VARINT);
      type = reader.int32();
      if (type < PieceType.NORMAL || type > PieceType.BYTE) reader.fail(`pieces[${index}].type is ${type}, not a ModelProto.SentencePiece.Type (1..6)`);
    } else reader.skip(wireType);
  }
  return { piece, score, type: type as PieceType };
}

function readTrainerSpec(reader: ProtobufReader, spec: TrainerSpec): TrainerSpec {
  let { modelType, treatWhitespaceAsSuffix, byteFallback, unkSurface } = spec;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 3) {
      reader.expect('trainer_spec.model_type (3)', wireType, WireType.VARINT);
      modelType = reader.int32();
    } else if (field === 24) {
      reader.expect('trainer_spec.treat_whitespace_as_suffix (24)', wireType, WireType.VARINT);
      treatWhitespaceAsSuffix = reader.bool();
    } else if (field === 35) {
      reader.expect('trainer_spec.byte_fallback (35)', wireType, WireType.VARINT);
      byteFallback = reader.bool();
    } else if (field === 44) {
      reader.expect('trainer_spec.unk_surface (44)', wireType, WireType.LEN);
      unkSurface = reader.string();
    } else reader.skip(wireType);
  }
  return { modelType, treatWhitespaceAsSuffix, byteFallback, unkSurface };
}

function readNormalizerSpec(reader: ProtobufReader, spec: NormalizerSpec): NormalizerSpec {
  let { name, precompiledCharsmap, addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = spec;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) {
      reader.expect('normalizer_spec.name (1)', wireType, WireType.LEN);
      name = reader.string();
    } else if (field === 2) {
      reader.expect('normalizer_spec.precompiled_charsmap (2)', wireType, WireType.LEN);
      precompiledCharsmap = reader.lengthDelimited();
    } else if (field === 3) {
      reader.expect('normalizer_spec.add_dummy_prefix (3)', wireType, WireType.VARINT);
      addDummyPrefix = reader.bool();
    } else if (field === 4) {
      reader.expect('normalizer_spec.remove_extra_whitespaces (4)', wireType, WireType.VARINT);
      removeExtraWhitespaces = reader.bool();
    } else if (field === 5) {
      reader.expect('normalizer_spec.escape_whitespaces (5)', wireType, WireType.VARINT);
      escapeWhitespaces = reader.bool();
    } else reader.skip(wireType);
  }
  return { name, precompiledCharsmap, addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces };
}

/** The checks of sentencepiece's ModelInterface::InitializePieces, plus what this port runs. */
export function checkModel(model: SentencePieceModel): void {
  const fail = (message: string): never => {
    throw new SentencePieceModelError(model.source, message);
  };
  if (model.trainerSpec.modelType !== 1) fail(`trainer_spec.model_type is ${model.trainerSpec.modelType}; only unigram models (1) are supported`);
  if (model.trainerSpec.byteFallback) fail('trainer_spec.byte_fallback is on, which this port does not run (SigLIP and T5 models have it off)');
  if (model.pieces.length === 0) fail('the model has no pieces');
  const normal = new Set<string>();
  const reserved = new Set<string>();
  let unknowns = 0;
  model.pieces.forEach(({ piece, type }, id) => {
    if (piece === '') fail(`piece ${id} is empty`);
    if (piece.includes('\0')) fail(`piece ${id} contains a NUL character`);
    if (Buffer.byteLength(piece) >= 8000) fail(`piece ${id} is 8000 bytes or longer`);
    if (type === PieceType.BYTE) fail(`piece ${id} (${JSON.stringify(piece)}) is a byte piece, but byte fallback is off`);
    const group = type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED ? normal : reserved;
    if (group.has(piece)) fail(`piece ${id} (${JSON.stringify(piece)}) is defined twice`);
    group.add(piece);
    if (type === PieceType.UNKNOWN) unknowns++;
  });
  if (unknowns !== 1) fail(`the model must have exactly one piece of type UNKNOWN (<unk>), it has ${unknowns}`);
}
