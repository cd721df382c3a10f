import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../safetensors/dtypes.js';
import { adamWUpdate } from './adamw-update.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay, applied only to parameters with 2 or more dimensions. */
  weightDecay: number;
}

/**
 * torch.optim.AdamW with open_clip's parameter groups: weight decay on parameters with ndim >= 2 only
 * (biases, gains, class embeddings, logit_scale and logit_bias are not decayed). The update, per
 * parameter p with gradient g at step t:
 *   p <- p * (1 - lr * wd)
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Updates taken so far (t of the bias corrections). */
  step = 0;

  constructor(
    /** Trainable parameters by state-dict name. */
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly options: AdamWOptions,
  ) {
    const zeroMoment = (p: tf.Variable) => {
      const zeros = tf.zerosLike(p);
      const moment = tf.variable(zeros, false);
      zeros.dispose();
      return moment;
    };
    for (const [name, p] of params) {
      this.m.set(name, zeroMoment(p));
      this.v.set(name, zeroMoment(p));
    }
  }

  /** Applies one update from gradients keyed by parameter name. Parameters without a gradient are left alone. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { beta1, beta2, eps, weightDecay } = this.options;
    const stepSize = lr / (1 - beta1 ** this.step);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** this.step);
    const update = adamWUpdate();
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = p.rank >= 2 && weightDecay > 0 ? 1 - lr * weightDecay : 1;
      tf.tidy(() => {
        const next = update(p, m, v, g, { beta1, beta2, eps, decay, stepSize, sqrtCorrection2 });
        m.assign(next.m);
        v.assign(next.v);
        p.assign(next.param);
      });
    }
  }

  /** The moment estimates as host tensors (`exp_avg.<name>`, `exp_avg_sq.<name>`, PyTorch's names), for a checkpoint. */
  stateTensors(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [prefix, moments] of [
      ['exp_avg', this.m],
      ['exp_avg_sq', this.v],
    ] as const) {
      for (const [name, t] of moments) out.set(`${prefix}.${name}`, { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) });
    }
    return out;
  }

  /** Restores moments saved by stateTensors() and the step count. */
  loadState(tensors: ReadonlyMap<string, Float32Array>, step: number): void {
    for (const [prefix, moments] of [
      ['exp_avg', this.m],
      ['exp_avg_sq', this.v],
    ] as const) {
      for (const [name, t] of moments) {
        const values = tensors.get(`${prefix}.${name}`);
        if (!values || values.length !== t.size) throw new Error(`optimizer state has no ${prefix} of size ${t.size} for "${name}"`);
        tf.tidy(() => t.assign(tf.tensor(values, t.shape, 'float32')));
      }
    }
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
