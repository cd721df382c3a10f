#!/usr/bin/env node
// npm links this file as the `clipkit` command when it installs the workspace, which happens before the
// TypeScript is built: it runs the built command, or says how to build it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('clipkit: the command is not built yet: run `npm run build` (npm ci builds it too) in the clipkit repository');
  process.exit(1);
}
await import(main.href);
