import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { engine, getKernel, getKernelsForBackend, type KernelConfig, registerBackend, registerKernel } from '@tensorflow/tfjs-core';
import type { BlasAddon } from './blas-addon.js';
import { adamWKernel } from './kernels/adamw-kernel.js';
import { assemblyKernels } from './kernels/assembly-kernels.js';
import { attentionKernels } from './kernels/attention-kernels.js';
import { averagePoolKernels } from './kernels/average-pool-kernels.js';
import { batchNormKernels } from './kernels/batch-norm-kernels.js';
import { conv2dKernels } from './kernels/conv2d-kernels.js';
import { elementwiseKernels } from './kernels/elementwise-kernels.js';
import { layerKernels } from './kernels/layer-kernels.js';
import { matMulKernels } from './kernels/mat-mul-kernels.js';
import { reduceKernels } from './kernels/reduce-kernels.js';
import { softmaxKernel } from './kernels/softmax-kernel.js';
import { viewKernels } from './kernels/view-kernels.js';

/** The tfjs backend name of clipkit's accelerated cpu backend. */
export const BLAS_BACKEND = 'blas';

/**
 * The kernels that run in the addon; every other kernel is tfjs's cpu kernel, unchanged. Beyond the
 * products, the elementwise ops, transposes and reductions are there because the profile of a training
 * step put them next (docs/architecture.md, "Fast CPU backend"): the cpu backend broadcasts with an index
 * conversion per element and transposes before every reduction. The layer and attention kernels (GELUs,
 * LayerNorm, multi-head attention, training-mode BatchNorm, ResNet's average pooling) and the AdamW
 * update are kernels tfjs lacks, for blasOps.
 */
export function blasKernels(addon: BlasAddon): KernelConfig[] {
  return [
    ...matMulKernels(addon, BLAS_BACKEND),
    ...conv2dKernels(addon, BLAS_BACKEND),
    ...elementwiseKernels(addon, BLAS_BACKEND),
    ...viewKernels(addon, BLAS_BACKEND),
    ...assemblyKernels(BLAS_BACKEND),
    ...reduceKernels(addon, BLAS_BACKEND),
    softmaxKernel(addon, BLAS_BACKEND),
    ...layerKernels(addon, BLAS_BACKEND),
    ...attentionKernels(addon, BLAS_BACKEND),
    ...batchNormKernels(addon, BLAS_BACKEND),
    ...averagePoolKernels(addon, BLAS_BACKEND),
    adamWKernel(addon, BLAS_BACKEND),
  ];
}

/**
 * Registers the `blas` backend: a MathBackendCPU (same tensor storage, same Float32Arrays), with every
 * cpu kernel registered for it as is and the hot ones replaced by {@link blasKernels}. Gradients are
 * registered by kernel name, so they work unchanged. Idempotent.
 */
export function registerBlasBackend(addon: BlasAddon): void {
  if (engine().registryFactory[BLAS_BACKEND]) return;
  registerBackend(
    BLAS_BACKEND,
    () => {
      const backend = new MathBackendCPU();
      // The cpu backend's first write prints a banner urging tfjs-node; clipkit logs its own choice.
      (backend as unknown as { firstUse: boolean }).firstUse = false;
      return backend;
    },
    0,
  );
  for (const kernel of blasKernels(addon)) registerKernel(kernel);
  for (const kernel of getKernelsForBackend('cpu')) {
    if (!getKernel(kernel.kernelName, BLAS_BACKEND)) registerKernel({ ...kernel, backendName: BLAS_BACKEND });
  }
}
