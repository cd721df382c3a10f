// Tokenizer (CLIP BPE, BPE trainer)
export { ClipTokenizer } from './tokenizer/clip-tokenizer.js';
export { TextTooLongError } from './tokenizer/text-too-long-error.js';
export { type BpeVocabulary, END_OF_TEXT, START_OF_TEXT } from './tokenizer/bpe-vocabulary.js';
export { DEFAULT_VOCABULARY_PATH, loadBpeVocabulary, loadClipTokenizer } from './tokenizer/load-tokenizer.js';
export { writeHfVocabulary, writeOpenAiMerges, writeTokenizerJson } from './tokenizer/write-tokenizer-files.js';
export { trainBpe, type TrainBpeOptions } from './tokenizer/train-bpe.js';
export { cleanText } from './tokenizer/clean-text.js';
export { preTokenize } from './tokenizer/pre-tokenize.js';
export { type ClipBpeConfig, clipBpeSchema } from './tokenizer/tokenizer-schema.js';
export { clipBpeTokenizerPlugin } from './tokenizer/tokenizer-plugin.js';

// Text tower (TextTransformer and its plug-in)
export { TextTransformer } from './text-transformer.js';
export { type TextTransformerConfig, textTransformerSchema } from './text-transformer-schema.js';
export { textOpenClipFormat } from './text-open-clip-format.js';
export { textHfFormat } from './text-hf-format.js';
export { textGraph } from './text-graph.js';
export { textTransformerPlugin } from './text-transformer-plugin.js';

export { plugins } from './plugins.js';
