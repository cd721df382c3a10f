import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelArgs, outputValues } from './blas-kernel-context.js';
import { FUSED_KERNELS, type Inputs, inputValues } from './clipkit-kernels.js';

/** x [..., C] as [rows, C], checking that gamma holds C values. */
function channelsOf(inputs: Inputs, kernelName: string): { rows: number; channels: number } {
  const { x, gamma } = inputs;
  const channels = x.shape[x.shape.length - 1] ?? 1;
  util.assert(
    x.shape.length >= 1 && gamma.shape.length === 1 && gamma.shape[0] === channels,
    () => `${kernelName}: gamma has shape [${gamma.shape}], x [${x.shape}]; gamma needs x's last dim`,
  );
  return { rows: util.sizeFromShape(x.shape) / Math.max(1, channels), channels };
}

const batchNorm = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.batchNorm;
  const inputs = args.inputs as Inputs;
  const [x, gamma, beta] = inputValues(args, name, ['x', 'gamma', 'beta']);
  const { rows, channels } = channelsOf(inputs, name);
  util.assert(beta.length === channels, () => `${name}: beta has ${beta.length} values, x's last dim is ${channels}`);
  const [y, mean, variance, invStd] = [outputValues(x.length), new Float32Array(channels), new Float32Array(channels), new Float32Array(channels)];
  addon.batchNorm(x, gamma, beta, y, mean, variance, invStd, rows, channels, (args.attrs as { epsilon: number }).epsilon);
  return [args.backend.makeTensorInfo(inputs.x.shape, 'float32', y), ...[mean, variance, invStd].map((values) => args.backend.makeTensorInfo([channels], 'float32', values))];
};

const batchNormGrad = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.batchNormGrad;
  const inputs = args.inputs as Inputs;
  const [dy, x, gamma, mean, invStd] = inputValues(args, name, ['dy', 'x', 'gamma', 'mean', 'invStd']);
  const { rows, channels } = channelsOf(inputs, name);
  util.assert(dy.length === x.length && mean.length === channels && invStd.length === channels, () => `${name}: dy, mean or invStd does not match x [${inputs.x.shape}]`);
  const [dx, dgamma, dbeta] = [outputValues(x.length), new Float32Array(channels), new Float32Array(channels)];
  addon.batchNormGrad(dy, x, gamma, mean, invStd, dx, dgamma, dbeta, rows, channels);
  return [
    args.backend.makeTensorInfo(inputs.x.shape, 'float32', dx),
    args.backend.makeTensorInfo([channels], 'float32', dgamma),
    args.backend.makeTensorInfo([channels], 'float32', dbeta),
  ];
};

/** Training-mode BatchNorm and its gradient, each one kernel in the addon (three passes over the activation forward, two back). */
export function batchNormKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  return [
    { kernelName: FUSED_KERNELS.batchNorm, backendName, kernelFunc: (args) => batchNorm(args as never, addon) },
    { kernelName: FUSED_KERNELS.batchNormGrad, backendName, kernelFunc: (args) => batchNormGrad(args as never, addon) },
  ];
}
