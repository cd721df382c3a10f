// SigLIP's tokenizer: loadSentencePieceTokenizer and SiglipTokenizer (transformers' SiglipTokenizer) over an
// exact port of sentencepiece's unigram encoder (SentencePieceProcessor, the spiece.model reader), with the
// same model as a Hugging Face tokenizer.json.
export { loadSentencePieceModel, loadSentencePieceTokenizer } from './load-sentencepiece-tokenizer.js';
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
export { type AddedToken, SiglipTokenizer, type SiglipTokenizerOptions } from './siglip-tokenizer.js';
export { readSiglipTokenizerConfig } from './siglip-tokenizer-config.js';
export { TextTooLongError } from './text-too-long-error.js';
export { sentencePieceModelFromTokenizerJson, type TokenizerJsonOptions, tokenizerJsonFromSentencePieceModel, writeTokenizerJson } from './tokenizer-json.js';
export { type SiglipTokenizerConfig, siglipTokenizerSchema } from './siglip-tokenizer-schema.js';
export { plugins, siglipTokenizerPlugin } from './siglip-tokenizer-plugin.js';
