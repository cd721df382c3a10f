import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../blas-addon.js';
import { type BlasKernelArgs, float32Values, outputValues } from './blas-kernel-context.js';
import { FUSED_KERNELS, type Inputs, inputValues } from './clipkit-kernels.js';

/** [B, T, 3D] and `heads` as the addon's sizes, or an error naming the kernel. */
function attentionSizes(qkv: TensorInfo, heads: number, kernelName: string): { B: number; T: number; H: number; hd: number } {
  const [B, T, threeD] = qkv.shape;
  util.assert(
    qkv.shape.length === 3 && threeD % (3 * heads) === 0,
    () => `${kernelName}: qkv has shape [${qkv.shape}]; it needs [B, T, 3 x width] with width divisible by heads ${heads}`,
  );
  return { B, T, H: heads, hd: threeD / 3 / heads };
}

const attention = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo[] => {
  const name = FUSED_KERNELS.attention;
  const inputs = args.inputs as Inputs;
  const [qkv] = inputValues(args, name, ['qkv']);
  const { B, T, H, hd } = attentionSizes(inputs.qkv, (args.attrs as { heads: number }).heads, name);
  let mask: Float32Array | null = null;
  if (inputs.mask) {
    mask = float32Values(args.backend, inputs.mask);
    util.assert(mask !== null && inputs.mask.shape.join() === `${T},${T}`, () => `${name}: the mask is ${inputs.mask.dtype} [${inputs.mask.shape}]; it needs float32 [${T}, ${T}]`);
  }
  const out = outputValues(B * T * H * hd);
  const probs = outputValues(B * H * T * T);
  addon.attention(qkv, mask, out, probs, B, T, H, hd, 1 / Math.sqrt(hd));
  return [args.backend.makeTensorInfo([B, T, H * hd], 'float32', out), args.backend.makeTensorInfo([B, H, T, T], 'float32', probs)];
};

const attentionGrad = (args: BlasKernelArgs, addon: BlasAddon): TensorInfo => {
  const name = FUSED_KERNELS.attentionGrad;
  const inputs = args.inputs as Inputs;
  const [dy, qkv, probs] = inputValues(args, name, ['dy', 'qkv', 'probs']);
  const { B, T, H, hd } = attentionSizes(inputs.qkv, (args.attrs as { heads: number }).heads, name);
  util.assert(
    dy.length === B * T * H * hd && probs.length === B * H * T * T,
    () => `${name}: dy [${inputs.dy.shape}] or probs [${inputs.probs.shape}] does not match qkv [${inputs.qkv.shape}]`,
  );
  const dqkv = outputValues(qkv.length);
  addon.attentionGrad(dy, qkv, probs, dqkv, B, T, H, hd, 1 / Math.sqrt(hd));
  return args.backend.makeTensorInfo(inputs.qkv.shape, 'float32', dqkv);
};

/** Multi-head self-attention and its gradient, each one kernel in the addon (no head split, merge or softmax pass of its own). */
export function attentionKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  return [
    { kernelName: FUSED_KERNELS.attention, backendName, kernelFunc: (args) => attention(args as never, addon) },
    { kernelName: FUSED_KERNELS.attentionGrad, backendName, kernelFunc: (args) => attentionGrad(args as never, addon) },
  ];
}
