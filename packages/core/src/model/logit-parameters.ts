import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../components/module.js';
import { ClipkitError } from '../errors.js';

/**
 * The model's learnable logit scale and, for SigLIP models, logit bias: state-dict names `logit_scale`
 * (the log t, shape [] as OpenAI's parameter) and `logit_bias`. They belong to the model and its
 * checkpoint (open_clip's CLIP holds them); losses read them.
 */
export class LogitParameters implements Module {
  readonly logScale: tf.Variable<tf.Rank.R0>;
  readonly bias: tf.Variable<tf.Rank.R0> | null;

  constructor(logScale: number, bias: number | null) {
    if (!Number.isFinite(logScale)) throw new ClipkitError(`model.logitScale must be a finite number (the log of the scale), got ${logScale}`);
    if (bias !== null && !Number.isFinite(bias)) throw new ClipkitError(`model.logitBias must be a finite number or null, got ${bias}`);
    this.logScale = scalarVariable(logScale);
    this.bias = bias === null ? null : scalarVariable(bias);
  }

  /** exp(t), the multiplier of the cosine similarities: a tensor, differentiable in t. */
  scale(): tf.Scalar {
    return tf.exp(this.logScale);
  }

  /** Clamps t to [0, max] after an optimiser step, as open_clip's train loop (scale within [1, e^max]). */
  clamp(maxLogScale: number): void {
    tf.tidy(() => this.logScale.assign(tf.clipByValue(this.logScale, 0, maxLogScale)));
  }

  /** The current exp(t). */
  scaleValue(): number {
    return Math.exp(this.logScale.dataSync()[0]);
  }

  /** The current bias, or null. */
  biasValue(): number | null {
    return this.bias === null ? null : this.bias.dataSync()[0];
  }

  stateDict(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>([['logit_scale', this.logScale]]);
    if (this.bias) out.set('logit_bias', this.bias);
    return out;
  }

  dispose(): void {
    this.logScale.dispose();
    this.bias?.dispose();
  }
}

/** A trainable rank-0 variable: tf.variable shares its initial tensor's data, so that tensor is one more reference to drop. */
function scalarVariable(value: number): tf.Variable<tf.Rank.R0> {
  const initial = tf.scalar(value);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}
