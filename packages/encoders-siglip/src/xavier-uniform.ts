import type { SeededRandom } from '@clipkit/core';

/** xavier_uniform_ of a [out, in] weight: U(-sqrt(6 / (in + out)), +sqrt(6 / (in + out))). */
export function xavierUniform(rng: SeededRandom, out: number, inFeatures: number): Float32Array {
  const bound = Math.sqrt(6 / (inFeatures + out));
  return rng.uniformArray(out * inFeatures, -bound, bound);
}
