import type { AdamWStep } from '@clipkit/core';
import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelArgs, outputValues } from './blas-kernel-context.js';
import { FUSED_KERNELS, type Inputs, inputValues } from './clipkit-kernels.js';

const adamW = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.adamW;
  const inputs = args.inputs as Inputs;
  const [param, m, v, grad] = inputValues(args, name, ['param', 'm', 'v', 'grad']);
  for (const [input, values] of [
    ['m', m],
    ['v', v],
    ['grad', grad],
  ] as const) {
    util.assert(values.length === param.length, () => `${name}: ${input} has shape [${inputs[input].shape}], param [${inputs.param.shape}]; they need one size`);
  }
  const { beta1, beta2, eps, decay, stepSize, sqrtCorrection2 } = args.attrs as unknown as AdamWStep;
  const [paramOut, mOut, vOut] = [outputValues(param.length), outputValues(param.length), outputValues(param.length)];
  addon.adamW(param, m, v, grad, paramOut, mOut, vOut, beta1, beta2, eps, decay, stepSize, sqrtCorrection2);
  return [paramOut, mOut, vOut].map((values) => args.backend.makeTensorInfo(inputs.param.shape, 'float32', values));
};

/** The AdamW update of one parameter as one pass in the addon (ten allocating passes as composed tfjs ops). */
export function adamWKernel(addon: BlasAddon, backendName: string): KernelConfig {
  return { kernelName: FUSED_KERNELS.adamW, backendName, kernelFunc: (args) => adamW(args as never, addon) };
}
