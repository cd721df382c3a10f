import { z } from '@clipkit/core';
import type { SiglipVisionConfig } from './siglip-vision-schema.js';

type SiglipActivation = SiglipVisionConfig['activation'];

/**
 * `hidden_act` as transformers' ACT2FN names the activations clipkit has: gelu_pytorch_tanh (SigLIP's) and
 * gelu_new are both x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); "gelu" is the exact erf GELU.
 */
export const hfActivation = z.enum(['gelu_pytorch_tanh', 'gelu_new', 'gelu', 'quick_gelu']).default('gelu_pytorch_tanh');

export function fromHfActivation(act: z.output<typeof hfActivation>): SiglipActivation {
  return act === 'gelu_pytorch_tanh' || act === 'gelu_new' ? 'gelu_tanh' : act;
}

export function toHfActivation(activation: SiglipActivation): z.output<typeof hfActivation> {
  return activation === 'gelu_tanh' ? 'gelu_pytorch_tanh' : activation;
}
