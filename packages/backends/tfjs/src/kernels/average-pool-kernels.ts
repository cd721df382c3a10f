import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelArgs, outputValues } from './blas-kernel-context.js';
import { FUSED_KERNELS, type Inputs, inputValues } from './clipkit-kernels.js';

/** An NHWC shape and a pooling size, checked: the window must fit the image at least once. */
function poolingOf(shape: number[], size: number, kernelName: string): [number, number, number, number, number] {
  util.assert(shape.length === 4, () => `${kernelName}: needs an NHWC input of rank 4, got shape [${shape}]`);
  const [N, H, W, C] = shape;
  util.assert(Number.isInteger(size) && size >= 1 && size <= H && size <= W, () => `${kernelName}: size ${size} does not fit a ${H}x${W} image`);
  return [N, H, W, C, size];
}

const averagePool = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo => {
  const name = FUSED_KERNELS.averagePool;
  const [x] = inputValues(args, name, ['x']);
  const [N, H, W, C, size] = poolingOf((args.inputs as Inputs).x.shape, (args.attrs as { size: number }).size, name);
  const outShape = [N, Math.floor(H / size), Math.floor(W / size), C];
  const y = outputValues(util.sizeFromShape(outShape));
  addon.averagePool(x, y, N, H, W, C, size);
  return args.backend.makeTensorInfo(outShape, 'float32', y);
};

const averagePoolGrad = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo => {
  const name = FUSED_KERNELS.averagePoolGrad;
  const [dy] = inputValues(args, name, ['dy']);
  const { size, inputShape } = args.attrs as { size: number; inputShape: number[] };
  const [N, H, W, C] = poolingOf(inputShape, size, name);
  const dyShape = (args.inputs as Inputs).dy.shape;
  util.assert(
    util.arraysEqual(dyShape, [N, Math.floor(H / size), Math.floor(W / size), C]),
    () => `${name}: dy has shape [${dyShape}], not the pooled shape of [${inputShape}] at size ${size}`,
  );
  const dx = outputValues(N * H * W * C);
  addon.averagePoolGrad(dy, dx, N, H, W, C, size);
  return args.backend.makeTensorInfo(inputShape, 'float32', dx);
};

/** ResNet's average pooling and its gradient, each one pass in the addon. */
export function averagePoolKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  return [
    { kernelName: FUSED_KERNELS.averagePool, backendName, kernelFunc: (args) => averagePool(args as never, addon) },
    { kernelName: FUSED_KERNELS.averagePoolGrad, backendName, kernelFunc: (args) => averagePoolGrad(args as never, addon) },
  ];
}
