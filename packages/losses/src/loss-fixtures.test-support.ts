// Test-only (excluded from the build): loads the shared fixtures/losses and compares at its stated tolerance.
import { readdirSync } from 'node:fs';
import { readSafetensors, toFloat32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

const FIXTURE_DIR = `${process.env.CLIPKIT_SHARED}/fixtures/losses/`;

/** One open_clip ClipLoss / SigLipLoss case: inputs, losses and autograd gradients, by their file names. */
export interface LossCase {
  name: string;
  batch: number;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

export async function loadLossCases(): Promise<LossCase[]> {
  const files = readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.safetensors'))
    .sort();
  const cases: LossCase[] = [];
  for (const file of files) {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, t] of await readSafetensors(FIXTURE_DIR + file)) tensors.set(name, { shape: t.shape, data: toFloat32(t) });
    cases.push({ name: file.replace('.safetensors', ''), batch: tensors.get('image_features')!.shape[0], tensors });
  }
  return cases;
}

/** A fixture tensor as a tfjs tensor (scalars stay [1], as the fixtures store them). */
export function fixtureTensor(c: LossCase, name: string): tf.Tensor {
  const t = c.tensors.get(name);
  if (!t) throw new Error(`${c.name}: the fixture has no tensor "${name}"`);
  return tf.tensor(t.data, t.shape);
}

/** The fixtures' bound for losses and gradients: |a - ref| <= 1e-5 + 1e-4 |ref| elementwise (README.md). */
export function expectClose(actual: tf.Tensor, expected: ArrayLike<number>, what: string, scale = 1): void {
  const a = actual.dataSync();
  expect(a.length, `${what}: element count`).toBe(expected.length);
  let worst = { index: -1, excess: 0 };
  for (let i = 0; i < a.length; i++) {
    const ref = expected[i] * scale;
    const excess = Math.abs(a[i] - ref) - (1e-5 + 1e-4 * Math.abs(ref));
    if (!(excess <= worst.excess)) worst = { index: i, excess };
  }
  const at = worst.index;
  expect(worst.index, at < 0 ? what : `${what}[${at}]: got ${a[at]}, reference ${expected[at] * scale}`).toBe(-1);
}
