import { createRequire } from 'node:module';
import { ClipkitError, registerTensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BlasAddonLoad, loadBlasAddon } from './blas-addon.js';
import { BLAS_BACKEND, registerBlasBackend } from './blas-backend.js';
import { cpuBudget } from './cpu-budget.js';
import { bridgeMissingCpuKernels } from './cpu-kernel-bridge.js';
import { blasOps } from './ops/blas-ops.js';
import { wasmOps } from './ops/wasm-ops.js';

export type TfjsBackendName = 'tensorflow' | 'blas' | 'wasm' | 'cpu';

/** A backend by name, or "auto": the fastest available. */
export type TfjsDevice = 'auto' | TfjsBackendName;

export interface InitTfjsOptions {
  /** Which backend to use; "auto" picks the fastest available. Default "auto". */
  device?: TfjsDevice;
  /** Threads of the blas backend; null or absent: all cores. The wasm backend runs one thread under Node. */
  threads?: number | null;
  /** Receives one line saying which backend was chosen and why (and, once, why blas could not load). Default: console.error. */
  log?: (message: string) => void;
}

export interface TfjsSelection {
  backend: TfjsBackendName;
  /** Human-readable description of the choice, as logged. */
  description: string;
}

// The tfjs-node packages install libtensorflow in their install script, which many machines cannot run,
// so they are optional peers: found with require.resolve first, because a bare failing import() of a
// missing package is reported differently under vitest and Node.
const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cpu backend prints a banner urging tfjs-node on its first write under Node. clipkit chooses backends
 * deliberately and logs the choice itself, and many users cannot install tfjs-node: mark it as said.
 */
function quietCpuBackend(): void {
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

async function useTensorflow(): Promise<string | undefined> {
  const pkg = TENSORFLOW_PACKAGES.find(installed);
  if (!pkg) return undefined;
  await import(pkg);
  return (await tf.setBackend('tensorflow')) ? pkg : undefined;
}

// One load per addon path (CLIPKIT_BLAS_ADDON may name another build), so a failure is reported once.
const blasLoads = new Map<string, BlasAddonLoad>();

/** Selects the blas backend, or warns once per addon path why it cannot load and returns undefined. */
async function useBlas(threads: number | null, log: (message: string) => void): Promise<string | undefined> {
  const path = process.env.CLIPKIT_BLAS_ADDON || undefined;
  const key = path ?? '';
  let load = blasLoads.get(key);
  if (!load) {
    load = loadBlasAddon(path);
    blasLoads.set(key, load);
    if ('error' in load) {
      log(
        `clipkit: warning: the blas backend is unavailable (${load.error}); falling back to wasm. ` +
          'To build it: install g++, make and python3 (Debian, Ubuntu: apt-get install g++ make python3), then npm run build -w @clipkit/backend-tfjs.',
      );
    }
  }
  if ('error' in load) return undefined;
  await import('@tensorflow/tfjs-backend-cpu'); // its kernels run everything but the accelerated ones
  quietCpuBackend();
  registerBlasBackend(load.addon);
  load.addon.setThreads(threads ?? cpuBudget());
  if (!(await tf.setBackend(BLAS_BACKEND))) return undefined;
  registerTensorOps(BLAS_BACKEND, blasOps);
  const info = load.addon.info();
  return `${info.gemm}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

async function useWasm(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-wasm');
  await import('@tensorflow/tfjs-backend-cpu'); // the bridge runs missing kernels on it
  quietCpuBackend();
  if (!(await tf.setBackend('wasm'))) return undefined;
  bridgeMissingCpuKernels('wasm');
  registerTensorOps('wasm', wasmOps);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
  // tfjs turns wasm threads off under Node (its workers are blob URLs), so wasm runs on one thread.
  return `${simd}, 1 thread`;
}

async function useCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new ClipkitError('the tfjs cpu backend failed to initialise');
  quietCpuBackend();
  return 'plain JavaScript';
}

let current: Promise<TfjsSelection> | undefined;
let currentKey: string | undefined;

async function select(device: TfjsDevice, threads: number | null, log: (message: string) => void): Promise<TfjsSelection> {
  // tfjs-core's Node bundle has no gradients: they are registered by the @tensorflow/tfjs union bundle
  // (into tfjs's global registry, shared with tfjs-core). Training needs them.
  await import('@tensorflow/tfjs');
  if (device === 'tensorflow' || device === 'auto') {
    const pkg = await useTensorflow();
    if (pkg) return { backend: 'tensorflow', description: `tfjs backend tensorflow (${pkg})` };
    if (device === 'tensorflow') {
      throw new ClipkitError(
        'backend.device "tensorflow" needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA): npm install @tensorflow/tfjs-node. ' +
          'Or set backend.device to "auto", "blas", "wasm" or "cpu".',
      );
    }
  }
  if (device === 'blas' || device === 'auto') {
    const detail = await useBlas(threads, log);
    if (detail) return { backend: 'blas', description: `tfjs backend blas (${detail}${device === 'auto' ? '; tfjs-node not installed' : ''})` };
  }
  if (device === 'wasm' || device === 'auto' || device === 'blas') {
    const detail = await useWasm();
    const why = device === 'wasm' ? '' : device === 'auto' ? '; tfjs-node not installed, blas unavailable' : '; blas unavailable';
    if (detail) return { backend: 'wasm', description: `tfjs backend wasm (${detail}${why})` };
    if (device === 'wasm')
      throw new ClipkitError('backend.device "wasm": @tensorflow/tfjs-backend-wasm failed to initialise; reinstall it (npm install @tensorflow/tfjs-backend-wasm) or use "cpu".');
  }
  return { backend: 'cpu', description: `tfjs backend cpu (${await useCpu()})` };
}

/**
 * Chooses and initialises the tfjs backend: with "auto", tensorflow (tfjs-node-gpu, then tfjs-node)
 * when installed, else blas (this package's addon: OpenBLAS's GEMM or its own) when it loads, else wasm, else cpu.
 * "blas" falls back the same way, with a warning, when the addon cannot load. Logs the choice once.
 * Calling it again with the same device and threads is free; asking for another switches backend.
 *
 * The chosen backend's strategy for @clipkit/layers is registered with it (registerTensorOps): blasOps
 * on blas, wasmOps on wasm; tensorflow and cpu take the layers' portable ops.
 */
export async function initTfjs(options: InitTfjsOptions = {}): Promise<TfjsSelection> {
  const device = options.device ?? 'auto';
  const threads = options.threads ?? null;
  const key = `${device}/${threads}/${process.env.CLIPKIT_BLAS_ADDON ?? ''}`;
  if (current && currentKey === key) return current;
  const log = options.log ?? ((message: string) => console.error(message));
  currentKey = key;
  current = select(device, threads, log).then((selection) => {
    log(`clipkit: ${selection.description}`);
    return selection;
  });
  current.catch(() => {
    current = undefined;
    currentKey = undefined;
  });
  return current;
}
