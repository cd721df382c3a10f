import type { Command } from 'commander';
import { registerEmbedCommand } from './embed.js';
import { registerExportOnnxCommand } from './export-onnx.js';
import { registerTokenizeCommand } from './tokenize.js';
import { registerZeroShotCommand } from './zero-shot.js';

/** Each subcommand lives in its own file and registers itself on the program here. */
export const COMMANDS: readonly ((program: Command) => void)[] = [registerEmbedCommand, registerExportOnnxCommand, registerTokenizeCommand, registerZeroShotCommand];
