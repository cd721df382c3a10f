import { type KernelConfig, Softmax, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';

const softmax: BlasKernelFunc = (args, addon) => {
  const { logits } = args.inputs as { logits: TensorInfo };
  const { dim } = args.attrs as { dim: number };
  const values = float32Values(args.backend, logits);
  const rank = logits.shape.length;
  // tfjs takes softmax over the last axis only; its kernel raises the error for any other.
  if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return runCpuKernel1(Softmax, args);
  const columns = logits.shape[rank - 1];
  const out = outputValues(values.length);
  if (columns > 0) addon.softmax(values, out, values.length / columns, columns);
  return args.backend.makeTensorInfo(logits.shape, 'float32', out);
};

/** Softmax in one pass per row in the addon (tfjs's cpu kernel makes five tensors). */
export function softmaxKernel(addon: BlasAddon, backendName: string): KernelConfig {
  return { kernelName: Softmax, backendName, kernelFunc: (args) => softmax(args as never, addon) };
}
