import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { ADDON_BINARY_OPS, ADDON_UNARY_OPS, type BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';

/** A broadcast of two shapes as the addon walks it: few dims, each operand's stride per dim (0 where it repeats). */
interface BroadcastPlan {
  outShape: number[];
  dims: Float64Array;
  aStrides: Float64Array;
  bStrides: Float64Array;
}

/**
 * Broadcasts aShape against bShape as numpy does, then drops size-1 dims and merges neighbours that both
 * operands step through contiguously, so that a bias add [N, D] + [D] is 2 dims and a same-shape add 1.
 */
function broadcastPlan(aShape: number[], bShape: number[]): BroadcastPlan {
  const outShape = backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = outShape.length;
  const stridesOf = (shape: number[]): number[] => {
    const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
    const strides = new Array<number>(rank);
    for (let d = rank - 1, step = 1; d >= 0; step *= padded[d], d--) strides[d] = padded[d] === 1 ? 0 : step;
    return strides;
  };
  const a = stridesOf(aShape);
  const b = stridesOf(bShape);
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && a[d] === aStrides[last] * dims[last] && b[d] === bStrides[last] * dims[last]) {
      dims[last] *= outShape[d];
    } else {
      dims.push(outShape[d]);
      aStrides.push(a[d]);
      bStrides.push(b[d]);
    }
  }
  if (dims.length === 0) return { outShape, dims: Float64Array.of(1), aStrides: Float64Array.of(0), bStrides: Float64Array.of(0) };
  return { outShape, dims: Float64Array.from(dims.reverse()), aStrides: Float64Array.from(aStrides.reverse()), bStrides: Float64Array.from(bStrides.reverse()) };
}

function binaryKernel(kernelName: keyof typeof ADDON_BINARY_OPS): BlasKernelFunc {
  return (args, addon) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const aValues = float32Values(args.backend, a);
    const bValues = float32Values(args.backend, b);
    if (!aValues || !bValues) return runCpuKernel1(kernelName, args);
    const plan = broadcastPlan(a.shape, b.shape);
    const out = outputValues(util.sizeFromShape(plan.outShape));
    if (out.length > 0) addon.binary(ADDON_BINARY_OPS[kernelName], aValues, bValues, out, plan.dims, plan.aStrides, plan.bStrides);
    return args.backend.makeTensorInfo(plan.outShape, 'float32', out);
  };
}

function unaryKernel(kernelName: keyof typeof ADDON_UNARY_OPS): BlasKernelFunc {
  return (args, addon) => {
    const { x } = args.inputs as { x: TensorInfo };
    const values = float32Values(args.backend, x);
    // The addon's Step is the ReLU gradient's, alpha 0; a leaky step stays with the cpu kernel.
    const leakyStep = kernelName === 'Step' && (args.attrs as { alpha?: number } | undefined)?.alpha !== 0;
    if (!values || leakyStep) return runCpuKernel1(kernelName, args);
    const out = outputValues(values.length);
    addon.unary(ADDON_UNARY_OPS[kernelName], values, out);
    return args.backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** Float32 elementwise kernels (with broadcasting) in the addon, on all threads. */
export function elementwiseKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const binary = (Object.keys(ADDON_BINARY_OPS) as (keyof typeof ADDON_BINARY_OPS)[]).map((name) => [name, binaryKernel(name)] as const);
  const unary = (Object.keys(ADDON_UNARY_OPS) as (keyof typeof ADDON_UNARY_OPS)[]).map((name) => [name, unaryKernel(name)] as const);
  return [...binary, ...unary].map(([kernelName, kernel]) => ({ kernelName, backendName, kernelFunc: (args) => kernel(args as never, addon) }));
}
