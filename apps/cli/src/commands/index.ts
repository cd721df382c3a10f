import type { Command } from 'commander';
import { registerCompareCommand } from './compare.js';
import { registerConfigSchemaCommand } from './config-schema.js';
import { registerConvertCommand } from './convert.js';
import { registerDemoImagesCommand } from './demo-images.js';
import { registerEmbedCommand } from './embed.js';
import { registerEvalCommand } from './eval.js';
import { registerExportOnnxCommand } from './export-onnx.js';
import { registerIndexCommand } from './index-images.js';
import { registerProbeCommand } from './probe.js';
import { registerSearchCommand } from './search.js';
import { registerServeCommand } from './serve.js';
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
  registerConvertCommand,
  registerConfigSchemaCommand,
  registerIndexCommand,
  registerSearchCommand,
  registerServeCommand,
  registerDemoImagesCommand,
];
