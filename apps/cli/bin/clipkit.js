#!/usr/bin/env node
// npm links this file as the `clipkit` command when it installs the workspace, which happens before the
// TypeScript is built: it runs the built command, or says how to build it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('clipkit: the command is not built yet: run `npm run build` (npm ci builds it too) in the clipkit repository');
  process.exit(1);
}

// V8's concurrent garbage collector competes with the blas backend's threads for the cores: training ran
// 1.2x faster with --single-threaded-gc (docs/architecture.md, "Fast CPU backend"). It is a process flag
// (V8 cannot change it once the heap runs), so a command that runs models restarts itself with it once;
// the others (--help, --version, help, config-schema, tokenize, and search, which embeds one query) run here
// and skip a second Node start.
const GC_FLAG = '--single-threaded-gc';
const MODEL_COMMANDS = new Set(['train', 'compare', 'eval', 'probe', 'embed', 'zero-shot', 'export-onnx', 'convert', 'index', 'serve']);
const args = process.argv.slice(2);
const command = args.find((arg) => !arg.startsWith('-'));
const runsModels = MODEL_COMMANDS.has(command) && !args.some((arg) => arg === '-h' || arg === '--help');

if (!runsModels || process.execArgv.includes(GC_FLAG)) {
  // The restarted process ends with the one that started it (killed with SIGKILL, say), rather than train on
  // unseen: the IPC channel between them closes when either ends. Unreferenced, it keeps neither running.
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => {
      console.error('clipkit: the clipkit process that started this one has ended; stopping');
      process.exit(1);
    });
  }
  await import(main.href);
} else {
  const child = spawn(process.execPath, [...process.execArgv, GC_FLAG, fileURLToPath(import.meta.url), ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  // Ctrl-C reaches the child from the terminal too: wait for it to stop cleanly rather than die first.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => {
    console.error(`clipkit: could not start ${process.execPath}: ${error.message}`);
    process.exit(1);
  });
  // A child ended by a signal ends this process the same way.
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
