import { type HostTensor, hfStorageOf, readModelDirectory, readSafetensors, SafetensorsFile } from '@clipkit/core';
import { plugins as resnetPlugins } from '@clipkit/encoders-resnet';
import { plugins as vitPlugins } from '@clipkit/encoders-vit';
import { plugins as textPlugins } from '@clipkit/text-transformer';
import { towerOnnxModel } from '../export/export-tower.js';
import { readTowerWeights } from '../export/read-tower-weights.js';
import { towerWeightShapes } from '../export/tower-weight-shapes.js';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { plugins as onnxRuntimePlugins } from '../onnx-runtime-plugins.js';
import { ensureTensorBackend } from '../runtime/tensor-backend.js';
import type { Tower } from '../tower.js';

/** The reference fixtures (see /work/shared/fixtures/README.md) and how tests compare with them. */
export const MODELS = `${process.env.CLIPKIT_SHARED}/fixtures/models`;

/** clipkit's towers and tokenizer (their schemas, formats, weights and graphs) with this package's plug-ins. */
export const PLUGINS = [...onnxRuntimePlugins, ...vitPlugins, ...resnetPlugins, ...textPlugins];

/** Fixture model directories and the folder holding their inputs/outputs (the HF copy shares the OpenAI one's). */
export const FIXTURE_MODELS: readonly (readonly [dir: string, reference: string])[] = [
  ['vit-b-tiny-quickgelu', 'vit-b-tiny-quickgelu'],
  ['vit-b-tiny-gelu', 'vit-b-tiny-gelu'],
  ['rn-tiny', 'rn-tiny'],
  ['hf/vit-b-tiny-quickgelu', 'vit-b-tiny-quickgelu'],
];

/** fixtures/README.md: max|a - ref| <= 1e-4 x max(1, max|ref|) per tensor (worst float32 reference error 3.2e-6 relative). */
const RELATIVE_TOLERANCE = 1e-4;

export interface Reference {
  pixelValues: HostTensor;
  inputIds: HostTensor;
  outputs: Map<string, HostTensor>;
}

export async function readReference(reference: string): Promise<Reference> {
  const inputs = await readSafetensors(`${MODELS}/${reference}/inputs.safetensors`);
  return { pixelValues: inputs.get('pixel_values')!, inputIds: inputs.get('input_ids')!, outputs: await readSafetensors(`${MODELS}/${reference}/outputs.safetensors`) };
}

/** The rows `rows` of a [B, ...] tensor, in that order (batches of any size built from the fixture's 4 rows). */
export function pickRows<T extends Float32Array | BigInt64Array>(data: T, rowSize: number, rows: readonly number[]): T {
  const out = new (data.constructor as new (length: number) => T)(rows.length * rowSize);
  for (const [i, row] of rows.entries()) out.set(data.subarray(row * rowSize, (row + 1) * rowSize) as never, i * rowSize);
  return out;
}

/** max|a - ref| over the whole tensor, and the bound it must stay under. */
export function parityError(actual: ArrayLike<number>, reference: ArrayLike<number>): { error: number; bound: number; relative: number } {
  if (actual.length !== reference.length) throw new Error(`${actual.length} values compared with ${reference.length}`);
  let error = 0;
  let scale = 1;
  for (let i = 0; i < reference.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return { error, bound: RELATIVE_TOLERANCE * scale, relative: error / scale };
}

/** Cosine similarity of each row [dim] of `a` to the same row of `b` (an export's embeddings against float32's). */
export function rowCosines(a: Float32Array, b: Float32Array, dim: number): number[] {
  const cosines: number[] = [];
  for (let row = 0; row < a.length / dim; row++) {
    let [ab, aa, bb] = [0, 0, 0];
    for (let i = row * dim; i < (row + 1) * dim; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
    cosines.push(ab / Math.sqrt(aa * bb));
  }
  return cosines;
}

/** Both towers of a fixture model directory as the float32 graphs the exporter builds from its weights. */
export async function fixtureTowerModels(dir: string): Promise<Record<Tower, OnnxModel>> {
  await ensureTensorBackend();
  const directory = await readModelDirectory(`${MODELS}/${dir}`, PLUGINS, { backend: { type: 'onnxruntime' } });
  const { config } = directory;
  const shapes = { image: towerWeightShapes(config, 'image', PLUGINS), text: towerWeightShapes(config, 'text', PLUGINS) };
  const storage = directory.layout === 'huggingface' ? hfStorageOf(config.model, PLUGINS) : undefined;
  const file = await SafetensorsFile.open(directory.weightsFile);
  try {
    const image = towerOnnxModel(config.model, 'image', PLUGINS, await readTowerWeights(file, 'image', shapes, storage));
    const text = towerOnnxModel(config.model, 'text', PLUGINS, await readTowerWeights(file, 'text', shapes, storage));
    return { image, text };
  } finally {
    await file.close();
  }
}
