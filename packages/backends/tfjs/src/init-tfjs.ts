import { createRequire } from 'node:module';
import { ClipkitError, type TfjsDevice } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { bridgeMissingCpuKernels } from './cpu-kernel-bridge.js';

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface InitTfjsOptions {
  /** Which backend to use; "auto" picks the fastest available. Default "auto". */
  device?: TfjsDevice;
  /** Receives one line saying which backend was chosen and why. Default: console.error. */
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

async function useWasm(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-wasm');
  await import('@tensorflow/tfjs-backend-cpu'); // the bridge runs missing kernels on it
  quietCpuBackend();
  if (!(await tf.setBackend('wasm'))) return undefined;
  bridgeMissingCpuKernels('wasm');
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
let currentDevice: TfjsDevice | undefined;

async function select(device: TfjsDevice): Promise<TfjsSelection> {
  // tfjs-core's Node bundle has no gradients: they are registered by the @tensorflow/tfjs union bundle
  // (into tfjs's global registry, shared with tfjs-core). Training needs them.
  await import('@tensorflow/tfjs');
  if (device === 'tensorflow' || device === 'auto') {
    const pkg = await useTensorflow();
    if (pkg) return { backend: 'tensorflow', description: `tfjs backend tensorflow (${pkg})` };
    if (device === 'tensorflow') {
      throw new ClipkitError(
        'backend.device "tensorflow" needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA): npm install @tensorflow/tfjs-node. ' +
          'Or set backend.device to "auto", "wasm" or "cpu".',
      );
    }
  }
  if (device === 'wasm' || device === 'auto') {
    const detail = await useWasm();
    if (detail) return { backend: 'wasm', description: `tfjs backend wasm (${detail}${device === 'auto' ? '; tfjs-node not installed' : ''})` };
    if (device === 'wasm') throw new ClipkitError('backend.device "wasm": @tensorflow/tfjs-backend-wasm failed to initialise; reinstall it (npm install @tensorflow/tfjs-backend-wasm) or use "cpu".');
  }
  return { backend: 'cpu', description: `tfjs backend cpu (${await useCpu()})` };
}

/**
 * Chooses and initialises the tfjs backend: with "auto", tensorflow (tfjs-node-gpu, then tfjs-node)
 * when installed, else wasm, else cpu. Logs the choice once. Calling it again with the same device is
 * free; asking for a different device than the one already chosen switches backend.
 */
export async function initTfjs(options: InitTfjsOptions = {}): Promise<TfjsSelection> {
  const device = options.device ?? 'auto';
  if (current && currentDevice === device) return current;
  const log = options.log ?? ((message: string) => console.error(message));
  currentDevice = device;
  current = select(device).then((selection) => {
    log(`clipkit: ${selection.description}`);
    return selection;
  });
  current.catch(() => {
    current = undefined;
    currentDevice = undefined;
  });
  return current;
}
