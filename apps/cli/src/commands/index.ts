import type { Command } from 'commander';
import { registerCompareCommand } from './compare.js';
import { registerEmbedCommand } from './embed.js';
import { registerEvalCommand } from './eval.js';
import { registerExportOnnxCommand } from './export-onnx.js';
import { registerTokenizeCommand } from './tokenize.js';
import { registerTrainCommand } from './train.js';
import { registerZeroShotCommand } from './zero-shot.js';

/** Each subcommand lives in its own file and registers itself on the program here. */
export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerTrainCommand,
  registerEvalCommand,
  registerCompareCommand,
  registerEmbedCommand,
  registerZeroShotCommand,
  registerTokenizeCommand,
  registerExportOnnxCommand,
];
