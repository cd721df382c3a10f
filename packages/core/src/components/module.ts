import type { Variable } from '@tensorflow/tfjs-core';

/**
 * A tfjs model part with named state. Names are OpenAI/open_clip state-dict names relative to the
 * module (`conv1.weight`, `transformer.resblocks.0.attn.in_proj_weight`), so a checkpoint maps onto
 * the model without a translation table.
 */
export interface Module {
  /**
   * Every parameter and buffer by name, in a stable order. Trainable parameters have `trainable` true;
   * buffers (BatchNorm running statistics) are non-trainable variables.
   */
  stateDict(): Map<string, Variable>;
  /** Releases every variable. */
  dispose(): void;
}
