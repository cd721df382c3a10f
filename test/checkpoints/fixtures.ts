import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ClipModel, type HostTensor, readSafetensors, toInt32 } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { COMPARED, parityError } from '../clip/fixtures.js';

/** Shared by the tests of this folder: fixtures/checkpoints, its model folders, and how their outputs are compared. */

export const CHECKPOINTS = `${process.env.CLIPKIT_SHARED}/fixtures/checkpoints`;

/** Every model folder of fixtures/checkpoints and its weights file (README.md there); edge-cases/ and malicious/ hold no model. */
export const CHECKPOINT_MODELS: readonly (readonly [folder: string, weights: string])[] = [
  ['openai-jit-vit', 'model.pt'],
  ['openai-jit-rn', 'model.pt'],
  ['hf-bin', 'pytorch_model.bin'],
  ['hf-sharded', 'model.safetensors.index.json'],
  ['open-clip-hub', 'open_clip_pytorch_model.bin'],
  ['open-clip-hub-safetensors', 'open_clip_model.safetensors'],
  ['open-clip-train', 'epoch_3.pt'],
  ['f16', 'model.safetensors'],
  ['bf16', 'model.safetensors'],
];

/** image_embeds, text_embeds and both logits of a model on a folder's inputs.safetensors, leaving no tensor behind. */
export async function modelOutputs(model: ClipModel, inputsFile: string): Promise<Map<string, Float32Array>> {
  const inputs = await readSafetensors(inputsFile);
  const pixels = inputs.get('pixel_values')!;
  const ids = inputs.get('input_ids')!;
  const before = tf.memory().numTensors;
  const pixelValues = tf.tensor4d(pixels.data as Float32Array, pixels.shape as [number, number, number, number]);
  const inputIds = tf.tensor2d(toInt32(ids, 'input_ids'), ids.shape as [number, number], 'int32');
  const imageEmbeds = await model.encodeImage(pixelValues);
  const textEmbeds = await model.encodeText(inputIds);
  const { logitsPerImage, logitsPerText } = model.logits(imageEmbeds, textEmbeds);
  const tensors = { image_embeds: imageEmbeds, text_embeds: textEmbeds, logits_per_image: logitsPerImage, logits_per_text: logitsPerText };
  const out = new Map(Object.entries(tensors).map(([name, t]) => [name, t.dataSync() as Float32Array]));
  tf.dispose([pixelValues, inputIds, ...Object.values(tensors)]);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/**
 * Checks outputs against a reference outputs.safetensors at fixtures/checkpoints' tolerance, max|a - ref| <=
 * 1e-4 x max(1, max|ref|) per tensor, and returns the worst error in units of max(1, max|ref|) (for the report).
 */
export function expectReference(label: string, actual: ReadonlyMap<string, ArrayLike<number>>, reference: ReadonlyMap<string, HostTensor>): number {
  let worst = 0;
  for (const name of COMPARED) {
    const { error, bound } = parityError(actual.get(name)!, reference.get(name)!);
    worst = Math.max(worst, error / (bound / 1e-4));
    expect(error, `${label} ${name}`).toBeLessThanOrEqual(bound);
  }
  console.log(`${label}: max|a - ref| / max(1, max|ref|) = ${worst.toExponential(2)} (bound 1e-4)`);
  return worst;
}

/** Runs the built CLI without blocking the event loop (a test's local hub must answer it meanwhile). */
export function runCliAsync(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const main = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
  return new Promise((done, fail) => {
    const child = spawn('node', [main, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}
