import { textTransformerPlugin } from './text-transformer-plugin.js';
import { clipBpeTokenizerPlugin } from './tokenizer/tokenizer-plugin.js';

/** Every plug-in of this package: the text tower and the CLIP BPE tokenizer. */
export const plugins = [textTransformerPlugin, clipBpeTokenizerPlugin];
