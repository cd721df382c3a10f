import type { FuzzTarget } from './fuzz-target.js';
import { configTarget } from './targets/config-target.js';
import { imageTarget } from './targets/image-target.js';
import { pickleTarget } from './targets/pickle-target.js';
import { safetensorsTarget } from './targets/safetensors-target.js';
import { sentencepieceTarget } from './targets/sentencepiece-target.js';
import { tokenizerTarget } from './targets/tokenizer-target.js';

/** Every fuzz target, by name. */
export const TARGETS: readonly FuzzTarget[] = [safetensorsTarget, configTarget, imageTarget, tokenizerTarget, pickleTarget, sentencepieceTarget];
