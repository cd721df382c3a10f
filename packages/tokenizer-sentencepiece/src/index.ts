// An exact port of sentencepiece's unigram encoder: the spiece.model reader and SentencePieceProcessor.
export {
  type NormalizerSpec,
  PieceType,
  parseSentencePieceModel,
  readSentencePieceModel,
  type SentencePiece,
  type SentencePieceModel,
  type TrainerSpec,
} from './sentencepiece-model.js';
export { SentencePieceModelError } from './sentencepiece-model-error.js';
export { type EncodedPiece, SentencePieceProcessor, type SentencePieceProcessorOptions } from './sentencepiece-processor.js';
