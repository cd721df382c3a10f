import { registeredTensorOps, type TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { portableOps } from './portable-ops.js';

// The registered ops of each backend over the portable ones, made once per registration.
const merged = new WeakMap<Partial<TensorOps>, TensorOps>();

/**
 * The operations of the current tfjs backend: those it registered when it initialised (registerTensorOps),
 * the portable ones for the rest. Every layer computes through them, so no layer tests the backend's name.
 */
export function ops(): TensorOps {
  const own = registeredTensorOps(tf.getBackend());
  if (!own) return portableOps;
  let all = merged.get(own);
  if (!all) {
    all = { ...portableOps, ...own };
    merged.set(own, all);
  }
  return all;
}
