import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type BlasKernelArgs, float32Values } from './blas-kernel-context.js';

/** The kernels for @clipkit/layers' fused ops (their names and contracts: FUSED_KERNELS in @clipkit/core). */
export { FUSED_KERNELS } from '@clipkit/core';

export type Inputs = Record<string, TensorInfo>;

/** The Float32Array of each named input, or an error naming the kernel and the input: these kernels have no other dtype. */
export function inputValues(args: BlasKernelArgs, kernelName: string, names: string[]): Float32Array[] {
  return names.map((name) => {
    const values = float32Values(args.backend, args.inputs[name] as TensorInfo | undefined);
    if (!values) throw new Error(`clipkit blas backend: ${kernelName} needs a float32 input "${name}"`);
    return values;
  });
}
