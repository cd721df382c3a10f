import { backend_util, type KernelConfig, Slice, SplitV, slice_util, type TensorInfo, Transpose, Unpack, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel } from './blas-kernel-context.js';

/**
 * A strided view as the addon walks it: size-1 dims dropped, and a dim merged into the one inside it
 * when the view steps through both contiguously. Attention's [B, T, 3, H, hd] -> [3, B, H, T, hd] then
 * copies rows of hd values, a weight transpose is one tiled 2-D transpose, and a slice along the batch
 * is a single copy.
 */
function collapseView(dims: number[], strides: number[]): { dims: number[]; strides: number[] } {
  const outDims: number[] = [];
  const outStrides: number[] = [];
  for (let d = dims.length - 1; d >= 0; d--) {
    if (dims[d] === 1) continue;
    const last = outDims.length - 1;
    if (last >= 0 && strides[d] === outStrides[last] * outDims[last]) outDims[last] *= dims[d];
    else {
      outDims.push(dims[d]);
      outStrides.push(strides[d]);
    }
  }
  return outDims.length ? { dims: outDims.reverse(), strides: outStrides.reverse() } : { dims: [1], strides: [1] };
}

/** Copies the view of `values` at `offset` with `dims`/`strides` into a new packed Float32Array. */
export function copyView(addon: BlasAddon, values: Float32Array, offset: number, dims: number[], strides: number[]): Float32Array {
  const view = collapseView(dims, strides);
  const size = util.sizeFromShape(dims);
  // A contiguous view is one copy; typed-array slice does it without a call into the addon.
  if (view.dims.length === 1 && view.strides[0] === 1) return values.slice(offset, offset + size);
  const out = outputValues(size);
  if (size > 0) addon.stridedCopy(values, out, offset, Float64Array.from(view.dims), Float64Array.from(view.strides));
  return out;
}

const transpose: BlasKernelFunc = (args, addon) => {
  const { x } = args.inputs as { x: TensorInfo };
  const { perm } = args.attrs as { perm: number[] };
  const values = float32Values(args.backend, x);
  if (!values) return runCpuKernel(Transpose, args);
  const strides = util.computeStrides(x.shape).concat(1);
  const outShape = perm.map((p) => x.shape[p]);
  return args.backend.makeTensorInfo(
    outShape,
    'float32',
    copyView(
      addon,
      values,
      0,
      outShape,
      perm.map((p) => strides[p]),
    ),
  );
};

/** The part of x starting at `begin` with shape `size`. */
function slice(args: Parameters<BlasKernelFunc>[0], addon: BlasAddon, x: TensorInfo, values: Float32Array, begin: number[], size: number[]): TensorInfo {
  const strides = util.computeStrides(x.shape).concat(1);
  const offset = begin.reduce((sum, b, d) => sum + b * strides[d], 0);
  return args.backend.makeTensorInfo(size, 'float32', copyView(addon, values, offset, size, strides));
}

const sliceKernel: BlasKernelFunc = (args, addon) => {
  const { x } = args.inputs as { x: TensorInfo };
  const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
  const values = float32Values(args.backend, x);
  if (!values) return runCpuKernel(Slice, args);
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  slice_util.assertParamsValid(x, begin, size);
  return slice(args, addon, x, values, begin, size);
};

const splitV: BlasKernelFunc = (args, addon) => {
  const { x } = args.inputs as { x: TensorInfo };
  const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
  const values = float32Values(args.backend, x);
  if (!values) return runCpuKernel(SplitV, args);
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const begin = new Array<number>(x.shape.length).fill(0);
  return backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis).map((piece) => {
    const size = x.shape.slice();
    size[axis] = piece;
    const out = slice(args, addon, x, values, begin, size);
    begin[axis] += piece;
    return out;
  });
};

const unpack: BlasKernelFunc = (args, addon) => {
  const { value } = args.inputs as { value: TensorInfo };
  const values = float32Values(args.backend, value);
  if (!values) return runCpuKernel(Unpack, args);
  const axis = util.parseAxisParam((args.attrs as { axis: number }).axis, value.shape)[0];
  const strides = util.computeStrides(value.shape).concat(1);
  const outShape = value.shape.filter((_, d) => d !== axis);
  const outStrides = strides.filter((_, d) => d !== axis);
  return Array.from({ length: value.shape[axis] }, (_, i) => args.backend.makeTensorInfo(outShape, 'float32', copyView(addon, values, i * strides[axis], outShape, outStrides)));
};

/** Transpose, Slice, SplitV and Unpack as strided copies in the addon (tfjs's cpu kernels convert an index per value). */
export function viewKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const kernels: [string, BlasKernelFunc][] = [
    [Transpose, transpose],
    [Slice, sliceKernel],
    [SplitV, splitV],
    [Unpack, unpack],
  ];
  return kernels.map(([kernelName, kernel]) => ({ kernelName, backendName, kernelFunc: (args) => kernel(args as never, addon) }));
}
