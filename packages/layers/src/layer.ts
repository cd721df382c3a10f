import type { Module } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Base of every tfjs module in clipkit, in the manner of torch.nn.Module: a layer owns named variables
 * and named child layers, and its stateDict() lists them all under dotted state-dict names
 * (`resblocks.0.attn.in_proj_weight`), the names OpenAI and open_clip checkpoints use.
 */
export abstract class Layer implements Module {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter (or, with trainable false, a buffer such as a running mean). */
  protected addVariable<R extends tf.Rank>(name: string, initial: tf.Tensor<R>, trainable = true): tf.Variable<R> {
    if (this.variables.has(name) || this.children.has(name)) throw new Error(`${this.constructor.name}: "${name}" is registered twice`);
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  /** Registers a child whose state appears under `name.`. */
  protected addChild<M extends Module>(name: string, child: M): M {
    if (this.variables.has(name) || this.children.has(name)) throw new Error(`${this.constructor.name}: "${name}" is registered twice`);
    this.children.set(name, child);
    return child;
  }

  stateDict(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>(this.variables);
    for (const [prefix, child] of this.children) {
      for (const [name, variable] of child.stateDict()) out.set(`${prefix}.${name}`, variable);
    }
    return out;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}
