import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { ADDON_REDUCE_OPS, type BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';
import { copyView } from './view-kernels.js';

/**
 * x viewed as [outer, reduced, inner], when the reduced axes (ignoring size-1 dims) are one contiguous
 * block: every reduction clipkit's layers make (LayerNorm's last axis, a bias gradient's leading axes).
 * null otherwise: those are transposed first, as tfjs's kernel does.
 */
function reductionBlock(shape: number[], axes: number[]): { outer: number; reduced: number; inner: number } | null {
  const block = { outer: 1, reduced: 1, inner: 1 };
  let phase: 'outer' | 'reduced' | 'inner' = 'outer';
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const isReduced = axes.includes(d);
    if (isReduced && phase === 'inner') return null;
    if (isReduced) phase = 'reduced';
    else if (phase === 'reduced') phase = 'inner';
    block[phase] *= shape[d];
  }
  return block;
}

function reduceKernel(kernelName: keyof typeof ADDON_REDUCE_OPS, axisAttr: 'axis' | 'reductionIndices'): BlasKernelFunc {
  return (args, addon) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as Record<string, unknown>;
    const values = float32Values(args.backend, x);
    if (!values || values.length === 0) return runCpuKernel1(kernelName, args);
    const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    let input = values;
    let block = reductionBlock(x.shape, axes);
    if (!block) {
      // Reduced axes apart from each other: move them last, then reduce each row.
      const perm = backend_util.getAxesPermutation(axes, x.shape.length) as number[];
      const strides = util.computeStrides(x.shape).concat(1);
      input = copyView(
        addon,
        values,
        0,
        perm.map((p) => x.shape[p]),
        perm.map((p) => strides[p]),
      );
      block = { outer: util.sizeFromShape(outShape), reduced: util.sizeFromShape(reduceShape), inner: 1 };
    }
    const out = outputValues(block.outer * block.inner);
    addon.reduce(ADDON_REDUCE_OPS[kernelName], input, out, block.outer, block.reduced, block.inner);
    return args.backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Sum, Mean, Max and Min of float32 tensors in the addon. */
export function reduceKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const kernels = [reduceKernel('Sum', 'axis'), reduceKernel('Mean', 'axis'), reduceKernel('Max', 'reductionIndices'), reduceKernel('Min', 'axis')];
  return (['Sum', 'Mean', 'Max', 'Min'] as const).map((kernelName, i) => ({ kernelName, backendName, kernelFunc: (args) => kernels[i](args as never, addon) }));
}
