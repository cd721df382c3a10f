import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { _FusedMatMul, Add, BatchMatMul, backend_util, Elu, type KernelConfig, LeakyRelu, Prelu, Relu, Relu6, Sigmoid, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { ADDON_ACTIVATIONS, type BlasAddon } from '../blas-addon.js';
import { type BlasKernelFunc, float32Values, outputValues, runCpuKernel1 } from './blas-kernel-context.js';

/**
 * For each matrix of the broadcast batch `outer`, the index of the matrix of an operand whose batch
 * dims are `dims` (aligned right, size-1 dims repeated), as numpy's matmul broadcasts. tfjs's cpu kernel
 * indexes with `i % batchA`, which agrees whenever one operand's batch dims are a suffix of the output's
 * or are all 1, i.e. in every case tfjs's own gradients produce.
 */
function broadcastIndices(outer: number[], dims: number[]): Uint32Array {
  const indices = new Uint32Array(util.sizeFromShape(outer));
  const skipped = outer.length - dims.length;
  const strides = dims.map((_, d) => util.sizeFromShape(dims.slice(d + 1)));
  for (let i = 0; i < indices.length; i++) {
    let rest = i;
    let index = 0;
    for (let d = outer.length - 1; d >= 0; d--) {
      const coordinate = rest % outer[d];
      rest = Math.floor(rest / outer[d]);
      if (d >= skipped && dims[d - skipped] !== 1) index += coordinate * strides[d - skipped];
    }
    indices[i] = index;
  }
  return indices;
}

/** a @ b with tfjs's BatchMatMul semantics, on the addon's GEMM; null when an input is not float32. */
function product(backend: MathBackendCPU, addon: BlasAddon, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | null {
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  if (!aValues || !bValues) return null;
  const [aRows, aColumns] = a.shape.slice(-2);
  const [bRows, bColumns] = b.shape.slice(-2);
  const [m, kA] = transposeA ? [aColumns, aRows] : [aRows, aColumns];
  const [kB, n] = transposeB ? [bColumns, bRows] : [bRows, bColumns];
  util.assert(
    kA === kB,
    () =>
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = outputValues(util.sizeFromShape(outer) * m * n);
  const aIndex = broadcastIndices(outer, a.shape.slice(0, -2));
  const bIndex = broadcastIndices(outer, b.shape.slice(0, -2));
  addon.gemm(aValues, bValues, out, transposeA, transposeB, m, n, kA, aIndex, bIndex, 0);
  return backend.makeTensorInfo([...outer, m, n], 'float32', out);
}

const batchMatMul: BlasKernelFunc = (args, addon) => {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  return product(args.backend, addon, a, b, transposeA, transposeB) ?? runCpuKernel1(BatchMatMul, args);
};

/** A vector that broadcasts along the last axis of `out` without growing its rank: one value per column, or one in all. */
function columnVector(backend: MathBackendCPU, info: TensorInfo | undefined, out: TensorInfo, allowScalar: boolean): Float32Array | null {
  const values = float32Values(backend, info);
  if (!info || !values || info.shape.length > out.shape.length) return null;
  const columns = out.shape[out.shape.length - 1];
  const perColumn = values.length === columns && info.shape[info.shape.length - 1] === columns;
  return perColumn || (allowScalar && values.length === 1) ? values : null;
}

const ACTIVATION_KERNELS: Record<string, string> = { relu: Relu, relu6: Relu6, elu: Elu, sigmoid: Sigmoid, leakyrelu: LeakyRelu, prelu: Prelu };

/** matMul, + bias, activation, as tfjs's cpu _FusedMatMul; the bias and the activation run in the addon when they broadcast per column. */
const fusedMatMul: BlasKernelFunc = (args, addon) => {
  const { backend } = args;
  const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
    transposeA: boolean;
    transposeB: boolean;
    activation?: backend_util.Activation;
    leakyreluAlpha?: number;
  };
  const act = activation ?? 'linear';
  // An activation tfjs's cpu kernel does not know either: let it raise its own error.
  if (!(act in ADDON_ACTIVATIONS)) return runCpuKernel1(_FusedMatMul, args);
  const out = product(backend, addon, a, b, transposeA, transposeB);
  if (!out) return runCpuKernel1(_FusedMatMul, args);
  const biasValues = bias ? columnVector(backend, bias, out, false) : null;
  const preluValues = act === 'prelu' ? columnVector(backend, preluActivationWeights, out, true) : null;
  if ((!bias || biasValues) && (act !== 'prelu' || preluValues)) {
    const columns = out.shape[out.shape.length - 1];
    const values = float32Values(backend, out) as Float32Array;
    addon.biasActivation(
      values,
      values.length / Math.max(1, columns),
      columns,
      biasValues,
      ADDON_ACTIVATIONS[act as keyof typeof ADDON_ACTIVATIONS],
      leakyreluAlpha ?? 0.2,
      preluValues,
    );
    return out;
  }
  // A bias or prelu weights of another shape: tfjs's cpu kernels broadcast them.
  let current = out;
  if (bias) {
    current = runCpuKernel1(Add, { inputs: { a: out, b: bias }, backend });
    backend.disposeIntermediateTensorInfo(out);
  }
  if (act !== 'linear') {
    const kernel = ACTIVATION_KERNELS[act];
    const inputs = act === 'prelu' ? { x: current, alpha: preluActivationWeights } : { x: current };
    const activated = runCpuKernel1(kernel, { inputs, attrs: act === 'leakyrelu' ? { alpha: leakyreluAlpha ?? 0.2 } : {}, backend });
    backend.disposeIntermediateTensorInfo(current);
    current = activated;
  }
  return current;
};

/** BatchMatMul and _FusedMatMul on the addon's GEMM. */
export function matMulKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  return [
    { kernelName: BatchMatMul, backendName, kernelFunc: (args) => batchMatMul(args as never, addon) },
    { kernelName: _FusedMatMul, backendName, kernelFunc: (args) => fusedMatMul(args as never, addon) },
  ];
}
