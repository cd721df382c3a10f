import type { SeededRandom } from '@clipkit/core';

/** The std of a standard normal truncated to [-2, 2] (modeling_siglip.py variance_scaling_). */
const TRUNCATED_STD = 0.8796256610342398;

/**
 * transformers' lecun_normal_ (modeling_siglip.py): a normal truncated at two standard deviations, scaled to
 * variance 1 / fanIn. Draws are rejected outside [-2, 2] (trunc_normal_tf_ maps a uniform through the
 * inverse CDF instead: the same distribution).
 */
export function lecunNormal(rng: SeededRandom, count: number, fanIn: number): Float32Array {
  const std = Math.sqrt(1 / fanIn) / TRUNCATED_STD;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    out[i] = z * std;
  }
  return out;
}
