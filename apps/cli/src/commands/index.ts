import type { Command } from 'commander';
import { registerCompareCommand } from './compare.js';
import { registerConfigSchemaCommand } from './config-schema.js';
import { registerEmbedCommand } from './embed.js';
import { registerEvalCommand } from './eval.js';
import { registerExportOnnxCommand } from './export-onnx.js';
import { registerProbeCommand } from './probe.js';
import { registerTokenizeCommand } from './tokenize.js';
import { registerTrainCommand } from './train.js';
import { registerZeroShotCommand } from './zero-shot.js';

/**
 * Each subcommand lives in its own file and registers its options here; its action imports the
 * implementation (actions/), so tfjs, onnxruntime and sharp load only for the command that uses them.
 */
export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerTrainCommand,
  registerEvalCommand,
  registerProbeCommand,
  registerCompareCommand,
  registerEmbedCommand,
  registerZeroShotCommand,
  registerTokenizeCommand,
  registerExportOnnxCommand,
  registerConfigSchemaCommand,
];
