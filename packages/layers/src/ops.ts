import { registeredTensorOps, type TensorOps } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { portableOps } from './portable-ops.js';

/**
 * The operations of the current tfjs backend: those it registered when it initialised (registerTensorOps),
 * else the portable ones. Every layer computes through them, so no layer tests the backend's name.
 */
export function ops(): TensorOps {
  return registeredTensorOps(tf.getBackend()) ?? portableOps;
}
