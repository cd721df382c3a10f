import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type DataId, engine, getKernel, getKernelsForBackend, type KernelBackend, type KernelConfig, registerKernel, type TensorInfo } from '@tensorflow/tfjs-core';

// Kernels on complex64 or string tensors, or drawing to a canvas: their data does not survive a plain copy.
const NOT_BRIDGEABLE = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'Draw', 'StaticRegexReplace']);

function copy(from: KernelBackend, to: KernelBackend, info: TensorInfo): TensorInfo {
  const dataId: DataId = to.write(from.readSync(info.dataId), info.shape, info.dtype);
  return { dataId, shape: info.shape, dtype: info.dtype };
}

/**
 * Runs the cpu backend's kernel for `target` tensors: inputs are copied to the cpu backend, the cpu
 * kernel runs, outputs are copied back. Slow (two copies), but correct, and only used for kernels the
 * target backend lacks.
 */
function bridgedKernel(cpuKernel: KernelConfig, backendName: string): KernelConfig {
  return {
    kernelName: cpuKernel.kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend: target }) => {
      const backend = target as KernelBackend;
      const cpu = engine().findBackend('cpu') as MathBackendCPU;
      const cpuInputs: Record<string, TensorInfo> = {};
      for (const [name, info] of Object.entries(inputs)) if (info) cpuInputs[name] = copy(backend, cpu, info);
      try {
        const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
        const outputs = (Array.isArray(out) ? out : [out]).map((info) => {
          const result = copy(cpu, backend, info);
          cpu.disposeData(info.dataId);
          return result;
        });
        return Array.isArray(out) ? outputs : outputs[0];
      } finally {
        for (const info of Object.values(cpuInputs)) cpu.disposeData(info.dataId);
      }
    },
  };
}

/**
 * Registers, for `backendName`, every cpu kernel that backend lacks. On wasm 4.22 that includes
 * Conv2DBackpropFilter (the weight gradient of conv2d), UnsortedSegmentSum (the gradient of gather) and the
 * depthwise-conv backprops, without which models with convolutions or embeddings cannot train there.
 * Returns the kernel names it bridged.
 */
export function bridgeMissingCpuKernels(backendName: string): string[] {
  const bridged: string[] = [];
  for (const kernel of getKernelsForBackend('cpu')) {
    if (NOT_BRIDGEABLE.has(kernel.kernelName) || getKernel(kernel.kernelName, backendName)) continue;
    registerKernel(bridgedKernel(kernel, backendName));
    bridged.push(kernel.kernelName);
  }
  return bridged;
}
