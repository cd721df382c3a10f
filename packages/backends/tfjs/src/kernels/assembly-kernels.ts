import { backend_util, Concat, GatherV2, type KernelConfig, PadV2, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { type BlasKernelArgs, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';

type AssemblyKernel = (args: BlasKernelArgs) => TensorInfo;

// Kernels whose output is assembled from whole rows of their inputs, as typed-array copies (set of a
// subarray: a memcpy each). tfjs's cpu kernels convert an index per value: the class token's concat and
// the pad of its gradient, and the text embedding's gather, took 50-180 ms a step each at batch 128.

const gatherV2: AssemblyKernel = (args) => {
  const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
  const values = float32Values(args.backend, x);
  const ids = args.backend.data.get(indices.dataId).values as ArrayLike<number>;
  const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
  const axisDim = x.shape[parsedAxis];
  // Another dtype, or an index out of range (tfjs's kernel raises the error), goes to the cpu kernel.
  if (!values || indices.dtype !== 'int32' || !Array.prototype.every.call(ids, (i: number) => i >= 0 && i < axisDim)) return runCpuKernel1(GatherV2, args);
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, parsedAxis, batchDims ?? 0);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const perBatch = ids.length / batchSize;
  const out = outputValues(batchSize * outerSize * perBatch * sliceSize);
  let offset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const base = (b * outerSize + o) * dimSize;
      for (let i = 0; i < perBatch; i++, offset += sliceSize) {
        const row = (base + ids[b * perBatch + i]) * sliceSize;
        out.set(values.subarray(row, row + sliceSize), offset);
      }
    }
  }
  return args.backend.makeTensorInfo(info.outputShape, 'float32', out);
};

const concat: AssemblyKernel = (args) => {
  const inputs = args.inputs as unknown as TensorInfo[];
  const values = inputs.map((t) => float32Values(args.backend, t));
  if (values.some((v) => !v)) return runCpuKernel1(Concat, args);
  const axis = util.parseAxisParam((args.attrs as { axis: number }).axis, inputs[0].shape)[0];
  const shapes = inputs.map((t) => t.shape);
  backend_util.assertParamsConsistent(shapes, axis);
  const outShape = backend_util.computeOutShape(shapes, axis);
  const out = outputValues(util.sizeFromShape(outShape));
  const rows = util.sizeFromShape(outShape.slice(0, axis));
  const inner = shapes.map((shape) => util.sizeFromShape(shape.slice(axis)));
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    values.forEach((v, j) => {
      out.set((v as Float32Array).subarray(r * inner[j], (r + 1) * inner[j]), offset);
      offset += inner[j];
    });
  }
  return args.backend.makeTensorInfo(outShape, 'float32', out);
};

const padV2: AssemblyKernel = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const { paddings, constantValue } = args.attrs as { paddings: [number, number][]; constantValue: number };
  const values = float32Values(args.backend, x);
  if (!values || x.shape.length === 0) return runCpuKernel1(PadV2, args);
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const out = outputValues(util.sizeFromShape(outShape));
  out.fill(constantValue);
  const outStrides = [...util.computeStrides(outShape), 1];
  const last = x.shape[rank - 1];
  // Row r of x (its index over all dims but the last) lands at the same index shifted by the padding.
  for (let r = 0, rows = values.length / Math.max(1, last); r < rows; r++) {
    let offset = paddings[rank - 1][0];
    for (let d = rank - 2, rest = r; d >= 0; d--) {
      offset += ((rest % x.shape[d]) + paddings[d][0]) * outStrides[d];
      rest = Math.floor(rest / x.shape[d]);
    }
    out.set(values.subarray(r * last, (r + 1) * last), offset);
  }
  return args.backend.makeTensorInfo(outShape, 'float32', out);
};

/** GatherV2, Concat and PadV2 of float32 tensors as row copies. */
export function assemblyKernels(backendName: string): KernelConfig[] {
  const kernels: [string, AssemblyKernel][] = [
    [GatherV2, gatherV2],
    [Concat, concat],
    [PadV2, padV2],
  ];
  return kernels.map(([kernelName, kernel]) => ({ kernelName, backendName, kernelFunc: (args) => kernel(args as never) }));
}
