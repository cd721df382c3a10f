import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getKernel, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';

/** What an accelerated kernel receives: tfjs's kernel arguments, on the blas backend (a cpu backend). */
export interface BlasKernelArgs {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: MathBackendCPU;
}

/** Makes a tfjs kernel function out of one that also takes the addon. */
export type BlasKernelFunc = (args: BlasKernelArgs, addon: BlasAddon) => TensorInfo | TensorInfo[];

/**
 * The Float32Array behind a tensor of the blas backend, or null when the tensor is not plain float32
 * (int32, bool, complex64): those go to the cpu kernel, which handles every dtype.
 */
export function float32Values(backend: MathBackendCPU, info: TensorInfo | undefined): Float32Array | null {
  if (info?.dtype !== 'float32') return null;
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : null;
}

// Below this many values zeroed memory costs nothing worth saving.
const UNINITIALISED_FROM = 16 * 1024;

/**
 * A Float32Array for a kernel's output, which the kernel must write in full. Large ones are left
 * uninitialised (Buffer.allocUnsafeSlow: a dedicated ArrayBuffer from malloc, not calloc), so that a
 * kernel writes its output once instead of twice.
 */
export function outputValues(length: number): Float32Array {
  return length >= UNINITIALISED_FROM ? new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length) : new Float32Array(length);
}

/**
 * Runs tfjs's own cpu kernel on the blas backend: the two share the cpu backend's data storage, so the
 * call needs no copy. Used for the cases an accelerated kernel does not cover.
 */
export function runCpuKernel(kernelName: string, args: BlasKernelArgs): TensorInfo | TensorInfo[] {
  const kernel = getKernel(kernelName, 'cpu');
  if (!kernel) throw new Error(`clipkit blas backend: tfjs's cpu backend has no ${kernelName} kernel to fall back on`);
  return (kernel.kernelFunc as KernelFunc)(args);
}

/** runCpuKernel for kernels with one output. */
export function runCpuKernel1(kernelName: string, args: BlasKernelArgs): TensorInfo {
  return runCpuKernel(kernelName, args) as TensorInfo;
}
