import type { Command } from 'commander';
import { registerTokenizeCommand } from './tokenize.js';

/** Each subcommand lives in its own file and registers itself on the program here. */
export const COMMANDS: readonly ((program: Command) => void)[] = [registerTokenizeCommand];
