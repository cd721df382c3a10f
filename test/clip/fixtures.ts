import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type HostTensor, readSafetensors, toInt32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { defaultPlugins } from 'clipkit';

/** Shared by the CLIP model tests of this folder: the reference fixtures and how they are compared. */

export const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

/** clipkit's plug-ins, as the clipkit command loads model directories with them. */
export const PLUGINS = await defaultPlugins();

/** Fixture model directories and the folder holding their inputs/outputs (the HF copy shares the OpenAI one's). */
export const FIXTURE_MODELS: readonly (readonly [dir: string, reference: string])[] = [
  ['vit-b-tiny-quickgelu', 'vit-b-tiny-quickgelu'],
  ['vit-b-tiny-gelu', 'vit-b-tiny-gelu'],
  ['rn-tiny', 'rn-tiny'],
  ['hf/vit-b-tiny-quickgelu', 'vit-b-tiny-quickgelu'],
];

/** fixtures/README.md: max|a - ref| <= 1e-4 x max(1, max|ref|) per tensor (worst float32 reference error 3.2e-6 relative). */
const RELATIVE_TOLERANCE = 1e-4;

export const quiet = { log: () => undefined };

/** The compared tensors of a fixture's outputs.safetensors. */
export const COMPARED = ['image_embeds', 'text_embeds', 'logits_per_image', 'logits_per_text'] as const;

export async function fixtureInputs(reference: string): Promise<{ pixelValues: tf.Tensor4D; inputIds: tf.Tensor2D; outputs: Map<string, HostTensor> }> {
  const inputs = await readSafetensors(`${MODELS}/${reference}/inputs.safetensors`);
  const pixels = inputs.get('pixel_values')!;
  const ids = inputs.get('input_ids')!;
  return {
    pixelValues: tf.tensor4d(pixels.data as Float32Array, pixels.shape as [number, number, number, number]),
    inputIds: tf.tensor2d(toInt32(ids, 'input_ids'), ids.shape as [number, number], 'int32'),
    outputs: await readSafetensors(`${MODELS}/${reference}/outputs.safetensors`),
  };
}

/** max|a - ref| and the bound it must stay under. */
export function parityError(actual: ArrayLike<number>, reference: HostTensor): { error: number; bound: number } {
  const ref = reference.data as Float32Array;
  if (actual.length !== ref.length) throw new Error(`${actual.length} values compared with ${ref.length}`);
  let error = 0;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { error, bound: RELATIVE_TOLERANCE * scale };
}

/** Runs the built CLI (apps/cli/dist/main.js; build it with `npx tsc -b apps/cli`). */
export function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const main = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
  const run = spawnSync('node', [main, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
