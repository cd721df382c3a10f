import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { ADDON_GELUS, type BlasAddon } from '../blas-addon.js';
import { type BlasKernelArgs, outputValues } from './blas-kernel-context.js';
import { FUSED_KERNELS, type Inputs, inputValues } from './clipkit-kernels.js';

function geluKernels(addon: BlasAddon, backendName: string, kind: keyof typeof ADDON_GELUS, forward: string, gradient: string): KernelConfig[] {
  const geluForward = (args: BlasKernelArgs): TensorInfo => {
    const [x] = inputValues(args, forward, ['x']);
    const y = outputValues(x.length);
    addon.gelu(ADDON_GELUS[kind], x, y);
    return args.backend.makeTensorInfo((args.inputs as Inputs).x.shape, 'float32', y);
  };
  const geluGradient = (args: BlasKernelArgs): TensorInfo => {
    const [dy, x] = inputValues(args, gradient, ['dy', 'x']);
    util.assert(dy.length === x.length, () => `${gradient}: dy has ${dy.length} values, x ${x.length}`);
    const dx = outputValues(x.length);
    addon.geluGrad(ADDON_GELUS[kind], dy, x, dx);
    return args.backend.makeTensorInfo((args.inputs as Inputs).x.shape, 'float32', dx);
  };
  return [
    { kernelName: forward, backendName, kernelFunc: (args) => geluForward(args as never) },
    { kernelName: gradient, backendName, kernelFunc: (args) => geluGradient(args as never) },
  ];
}

/** x [..., D] as [rows, D], checking that gamma holds D values. */
function rowsOf(inputs: Inputs, kernelName: string): { rows: number; columns: number } {
  const { x, gamma } = inputs;
  const columns = x.shape[x.shape.length - 1] ?? 1;
  util.assert(
    x.shape.length >= 1 && gamma.shape.length === 1 && gamma.shape[0] === columns,
    () => `${kernelName}: gamma has shape [${gamma.shape}], x [${x.shape}]; gamma needs x's last dim`,
  );
  return { rows: util.sizeFromShape(x.shape) / Math.max(1, columns), columns };
}

const layerNorm = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.layerNorm;
  const inputs = args.inputs as Inputs;
  const [x, gamma, beta] = inputValues(args, name, ['x', 'gamma', 'beta']);
  const { rows, columns } = rowsOf(inputs, name);
  util.assert(beta.length === columns, () => `${name}: beta has ${beta.length} values, x's last dim is ${columns}`);
  const [y, mean, rstd] = [outputValues(x.length), new Float32Array(rows), new Float32Array(rows)];
  addon.layerNorm(x, gamma, beta, y, mean, rstd, rows, columns, (args.attrs as { epsilon: number }).epsilon);
  const rowShape = inputs.x.shape.slice(0, -1);
  return [
    args.backend.makeTensorInfo(inputs.x.shape, 'float32', y),
    args.backend.makeTensorInfo(rowShape, 'float32', mean),
    args.backend.makeTensorInfo(rowShape, 'float32', rstd),
  ];
};

const layerNormGrad = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.layerNormGrad;
  const inputs = args.inputs as Inputs;
  const [dy, x, gamma, mean, rstd] = inputValues(args, name, ['dy', 'x', 'gamma', 'mean', 'rstd']);
  const { rows, columns } = rowsOf(inputs, name);
  util.assert(dy.length === x.length && mean.length === rows && rstd.length === rows, () => `${name}: dy, mean or rstd does not match x [${inputs.x.shape}]`);
  const [dx, dgamma, dbeta] = [outputValues(x.length), new Float32Array(columns), new Float32Array(columns)];
  addon.layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, columns);
  return [
    args.backend.makeTensorInfo(inputs.x.shape, 'float32', dx),
    args.backend.makeTensorInfo([columns], 'float32', dgamma),
    args.backend.makeTensorInfo([columns], 'float32', dbeta),
  ];
};

/** QuickGELU, the two GELUs and LayerNorm with their gradients, each one pass in the addon. */
export function layerKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const { quickGelu, quickGeluGrad, gelu, geluGrad, geluTanh, geluTanhGrad } = FUSED_KERNELS;
  return [
    ...geluKernels(addon, backendName, 'quick', quickGelu, quickGeluGrad),
    ...geluKernels(addon, backendName, 'exact', gelu, geluGrad),
    ...geluKernels(addon, backendName, 'tanh', geluTanh, geluTanhGrad),
    { kernelName: FUSED_KERNELS.layerNorm, backendName, kernelFunc: (args) => layerNorm(args as never, addon) },
    { kernelName: FUSED_KERNELS.layerNormGrad, backendName, kernelFunc: (args) => layerNormGrad(args as never, addon) },
  ];
}
