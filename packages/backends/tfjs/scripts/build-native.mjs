// Builds the blas addon (native/) with node-gyp and copies it to dist/native, where the package loads it
// from (and where `npm pack` and Nx's build cache pick it up). It needs only a C++ toolchain: OpenBLAS,
// where installed, is found when the addon loads (native/src/openblas-library.cc), and its own GEMM
// runs otherwise. Without a toolchain the package still works, on wasm, so this only warns, unless CI
// or CLIPKIT_REQUIRE_BLAS=1 asks for the addon. With one, a failed build is an error: it is a bug.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const required = process.env.CLIPKIT_REQUIRE_BLAS === '1' || process.env.CI === 'true';
const INSTALL = 'install g++, make and python3 (Debian, Ubuntu: apt-get install g++ make python3), then npm run build -w @clipkit/backend-tfjs';

function unavailable(message) {
  console.error(`@clipkit/backend-tfjs: ${required ? 'error' : 'warning'}: ${message}`);
  if (required) process.exit(1);
  console.error(`@clipkit/backend-tfjs: building without the blas backend; tfjs runs on wasm. To build it: ${INSTALL}`);
  process.exit(0);
}

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

/** The programs node-gyp runs that are not on this machine: python3 (gyp), make, and the C++ compiler make calls. */
function missingTools() {
  const tools = [process.env.npm_config_python || process.env.PYTHON || 'python3', 'make', process.env.CXX || 'g++'];
  return tools.filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error);
}

// The addon tunes glibc's malloc (mallopt, see native/src/addon.cc), which other systems lack.
if (process.platform !== 'linux') unavailable(`the blas addon builds on Linux only, this is ${process.platform}`);
const gyp = nodeGyp();
if (!gyp) unavailable('node-gyp not found (it ships with npm)');
const missing = missingTools();
if (missing.length > 0) unavailable(`cannot build the blas addon: ${missing.join(', ')} not found (node-gyp needs a C++ compiler, make and python3)`);
const dir = nodeDir();
const args = [gyp, 'rebuild', '--directory', join(root, 'native'), '--jobs', 'max', '--loglevel=warn', ...(dir ? [`--nodedir=${dir}`] : [])];
const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) {
  console.error('@clipkit/backend-tfjs: error: the blas addon failed to compile (see the errors above), with a C++ toolchain present');
  process.exit(1);
}
mkdirSync(join(root, 'dist/native'), { recursive: true });
// Copy, then rename over the old addon: a process that has it loaded keeps its (unlinked) file
// instead of crashing on one rewritten under it.
const target = join(root, 'dist/native/clipkit_blas.node');
copyFileSync(join(root, 'native/build/Release/clipkit_blas.node'), `${target}.${process.pid}.tmp`);
renameSync(`${target}.${process.pid}.tmp`, target);
