// Builds the BLAS addon (native/) with node-gyp and copies it to dist/native, where the package loads it
// from (and where `npm pack` and Nx's build cache pick it up). Without OpenBLAS's headers the build
// fails; the package still works, on wasm, so this only warns, unless CI or CLIPKIT_REQUIRE_BLAS=1
// asks for the addon (CI installs libopenblas-dev and must notice a broken build).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const required = process.env.CLIPKIT_REQUIRE_BLAS === '1' || process.env.CI === 'true';

/** npm's own node-gyp: npm names it for scripts it runs; else it sits in npm's folder beside node. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')];
  return candidates.find((path) => path && existsSync(path));
}

/** Node's headers: npm's nodedir setting, else the installation's own include/node (no download). */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
}

function fail(message) {
  console.error(`@clipkit/backend-tfjs: ${required ? 'error' : 'warning'}: ${message}`);
  if (required) process.exit(1);
  console.error('@clipkit/backend-tfjs: building without the blas backend; tfjs runs on wasm. To build it: apt-get install libopenblas-dev');
  process.exit(0);
}

const gyp = nodeGyp();
if (!gyp) fail('node-gyp not found (it ships with npm)');
const dir = nodeDir();
const args = [gyp, 'rebuild', '--directory', join(root, 'native'), '--jobs', 'max', '--loglevel=warn', ...(dir ? [`--nodedir=${dir}`] : [])];
const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) fail('the blas addon did not build (is libopenblas-dev installed?)');
mkdirSync(join(root, 'dist/native'), { recursive: true });
// Copy, then rename over the old addon: a process that has it loaded keeps its (unlinked) file
// instead of crashing on one rewritten under it.
const target = join(root, 'dist/native/clipkit_blas.node');
copyFileSync(join(root, 'native/build/Release/clipkit_blas.node'), `${target}.${process.pid}.tmp`);
renameSync(`${target}.${process.pid}.tmp`, target);
