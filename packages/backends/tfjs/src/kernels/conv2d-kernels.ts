import { backend_util, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/**
 * The sizes native/src/conv2d.h takes, in its order, from tfjs's own convolution geometry (so 'same',
 * 'valid', explicit padding and rounding resolve exactly as in tfjs's cpu kernels).
 */
function conv2dSizes(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, dilations: number | [number, number]): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

const conv2d: BlasKernelFunc = (args, addon) => {
  const { backend } = args;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  const xValues = float32Values(backend, x);
  const filterValues = float32Values(backend, filter);
  // Channels-first input is rare in tfjs (its cpu kernel reorders on the fly): leave it to that kernel.
  if (!xValues || !filterValues || attrs.dataFormat === 'NCHW') return runCpuKernel1(Conv2D, args);
  const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
  const y = outputValues(util.sizeFromShape(info.outShape));
  addon.conv2d(xValues, filterValues, y, conv2dSizes(info));
  return backend.makeTensorInfo(info.outShape, 'float32', y);
};

// tfjs computes both convolution gradients with unit dilation (its conv2d gradient rejects others).
const conv2dBackpropInput: BlasKernelFunc = (args, addon) => {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  const dyValues = float32Values(backend, dy);
  const filterValues = float32Values(backend, filter);
  if (!dyValues || !filterValues || attrs.dataFormat === 'NCHW') return runCpuKernel1(Conv2DBackpropInput, args);
  const info = convInfo(attrs.inputShape as number[], filter.shape, attrs, 1);
  const dx = outputValues(util.sizeFromShape(info.inShape));
  addon.conv2dBackpropInput(dyValues, filterValues, dx, conv2dSizes(info));
  return backend.makeTensorInfo(info.inShape, 'float32', dx);
};

const conv2dBackpropFilter: BlasKernelFunc = (args, addon) => {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  const xValues = float32Values(backend, x);
  const dyValues = float32Values(backend, dy);
  if (!xValues || !dyValues || attrs.dataFormat === 'NCHW') return runCpuKernel1(Conv2DBackpropFilter, args);
  const info = convInfo(x.shape, attrs.filterShape as number[], attrs, 1);
  const dfilter = outputValues(util.sizeFromShape(info.filterShape));
  addon.conv2dBackpropFilter(xValues, dyValues, dfilter, conv2dSizes(info));
  return backend.makeTensorInfo(info.filterShape, 'float32', dfilter);
};

/** Conv2D and its two gradients on the addon's GEMM (im2col + sgemm). */
export function conv2dKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  return [
    { kernelName: Conv2D, backendName, kernelFunc: (args) => conv2d(args as never, addon) },
    { kernelName: Conv2DBackpropInput, backendName, kernelFunc: (args) => conv2dBackpropInput(args as never, addon) },
    { kernelName: Conv2DBackpropFilter, backendName, kernelFunc: (args) => conv2dBackpropFilter(args as never, addon) },
  ];
}
