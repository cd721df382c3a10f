import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AnyClipPlugin,
  type ClipConfig,
  ClipkitError,
  clipPreprocess,
  hfStorageOf,
  LAYOUT_CONFIG_FILES,
  type ModelSource,
  type PluginSection,
  PREPROCESSOR_CONFIG_FILE,
  preprocessorConfigJson,
  readModelDirectory,
  toFloat32,
  WEIGHTS_FILE,
  writeContentAtomic,
  writeSafetensors,
  ZERO_SHOT_PROMPTS_FILE,
} from '@clipkit/core';
import { loadBpeVocabulary, writeHfVocabulary } from '@clipkit/text-transformer';
import { onnxRuntimeBackendSchema } from '../onnx-runtime-schema.js';
import { ONNX_TOWER_FILES } from '../runtime/onnx-tower-files.js';
import { ensureTensorBackend } from '../runtime/tensor-backend.js';
import type { Tower } from '../tower.js';
import { copyTokenizerFiles } from './copy-tokenizer-files.js';
import { checkExportPrecision, type ExportPrecision } from './export-precision.js';
import { exportTower, towerOnnxExport } from './export-tower.js';
import { type ModelWeightShapes, readTowerWeights } from './read-tower-weights.js';
import { towerWeightShapes } from './tower-weight-shapes.js';

export interface ExportOnnxModelOptions {
  /** Receives one line per file written, and what reading the model chose. Default: nothing. */
  log?: (message: string) => void;
  /** Where models come from besides core's own layouts (PyTorch checkpoints, hub names): see loadClip. Default none. */
  sources?: readonly ModelSource[];
  /** How the towers store their weights: int8 and/or float16 (see ExportPrecision). Default float32. */
  precision?: ExportPrecision;
}

const TOWERS: readonly Tower[] = ['image', 'text'];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function numbers(value: unknown, fallback: readonly number[]): [number, number, number] {
  return [...(Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number') ? value : fallback)] as [number, number, number];
}

/**
 * Exports a model (a folder in the Hugging Face, open_clip or clipkit layout, or anything `options.sources`
 * read: see readModelDirectory) to
 * `outDir` as a clipkit model directory that runs on onnxruntime with no further options:
 * - vision.onnx / text.onnx: the towers, each built by its plug-in's `onnx.graph` (see towerOnnxModel);
 * - model.safetensors: only logit_scale (and logit_bias), which live outside the towers;
 * - vocab.json + merges.txt: a CLIP BPE tokenizer's vocabulary (the bundled OpenAI one when the model names
 *   none); another tokenizer's files (SentencePiece's spiece.model, tokenizer.json, tokenizer_config.json,
 *   special_tokens_map.json: see copyTokenizerFiles) are copied, its section pointing at the copies;
 * - preprocessor_config.json: copied from the model, else built from open_clip's preprocess_cfg (or the exact
 *   transform clipkit keeps beside it) or OpenAI's; zero-shot-prompts.json copied when the model has one;
 * - clipkit.json: the model's config with `backend: { type: "onnxruntime" }`, written last, so a directory
 *   with a config is complete. `loadClip(outDir, plugins)` then runs both towers in onnxruntime.
 * `plugins` must hold the towers' plug-ins (their schemas, formats, weights and graphs). Returns the files written.
 */
export async function exportOnnxModel(modelRef: string, outDir: string, plugins: readonly AnyClipPlugin[], options: ExportOnnxModelOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  // Read as a model for onnxruntime: the source's own backend section plays no part in the export.
  const directory = await readModelDirectory(modelRef, plugins, { backend: { type: 'onnxruntime' }, sources: options.sources, log });
  const { config, weightsFile, dir: modelDir } = directory;
  if (existsSync(join(modelDir, ONNX_TOWER_FILES.image[0]))) {
    throw new ClipkitError(`${modelDir} is already an ONNX export (its towers are .onnx files); export-onnx reads a model whose weights are in ${WEIGHTS_FILE}`);
  }
  if (!existsSync(weightsFile)) throw new ClipkitError(`${weightsFile} does not exist: export-onnx reads the model's weights from it`);
  // By real path: a symbolic link to the model directory is the model directory.
  if (existsSync(outDir) && realpathSync(modelDir) === realpathSync(outDir)) {
    throw new ClipkitError(`--out ${outDir} is the model directory itself; export to another directory`);
  }
  for (const tower of TOWERS) towerOnnxExport(config.model, tower, plugins);
  const precision = checkExportPrecision(options.precision ?? {});
  await ensureTensorBackend();
  const shapes: ModelWeightShapes = { image: towerWeightShapes(config, 'image', plugins), text: towerWeightShapes(config, 'text', plugins) };
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const wrote = async (file: string) => {
    written.push(file);
    const { size } = await stat(file);
    log(`wrote ${file} (${size >= 1e6 ? `${(size / 1e6).toFixed(1)} MB` : `${(size / 1e3).toFixed(1)} kB`})`);
  };

  const file = await directory.openWeights();
  try {
    const storage = directory.layout === 'huggingface' ? hfStorageOf(config.model, plugins) : undefined;
    // One tower at a time, so only one tower's weights are in memory.
    for (const tower of TOWERS) {
      const path = join(outDir, ONNX_TOWER_FILES[tower][0]);
      const metadata = await exportTower(path, config.model, tower, plugins, await readTowerWeights(file, tower, shapes, storage), precision);
      await wrote(path);
      if (precision.calibration !== undefined && tower === 'image') {
        const quantized = metadata['clipkit.int8.static'];
        const { nodes, calibratedOn } = quantized ? (JSON.parse(quantized) as { nodes: number; calibratedOn: string }) : { nodes: 0, calibratedOn: '' };
        log(
          nodes > 0
            ? `${path}: ${nodes} convolution-trunk nodes int8 (static, calibrated on ${calibratedOn})`
            : `note: ${path} has no convolutions; the calibration images changed nothing`,
        );
      }
    }
    const scalars = new Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>();
    for (const name of ['logit_scale', 'logit_bias']) {
      if (file.entries.has(name)) scalars.set(name, { dtype: 'F32', shape: [], data: Float32Array.of(toFloat32(await file.read(name))[0]) });
    }
    const weights = join(outDir, WEIGHTS_FILE);
    await writeSafetensors(weights, scalars, { format: 'pt' });
    await wrote(weights);
  } finally {
    await file.close();
  }

  let tokenizer: PluginSection = config.tokenizer;
  if (tokenizer.type === 'clip-bpe') {
    const path = typeof tokenizer.path === 'string' ? tokenizer.path : undefined;
    await writeHfVocabulary(outDir, loadBpeVocabulary(path).vocabulary);
    for (const name of ['vocab.json', 'merges.txt']) await wrote(join(outDir, name));
    tokenizer = { type: 'clip-bpe', path: '.' };
  } else {
    const copied = await copyTokenizerFiles(tokenizer, outDir);
    for (const copy of copied.files) await wrote(copy);
    tokenizer = copied.section;
  }

  const preprocessor = join(outDir, PREPROCESSOR_CONFIG_FILE);
  const source = join(modelDir, PREPROCESSOR_CONFIG_FILE);
  const imageSize = config.model.vision.imageSize;
  if (existsSync(source)) {
    await writeContentAtomic(preprocessor, await readFile(source));
  } else {
    const { mean, std } = directory.openClipPreprocess ?? {};
    const clip = clipPreprocess(imageSize);
    const preprocess = config.preprocess ?? { ...clip, mean: numbers(mean, clip.mean), std: numbers(std, clip.std) };
    await writeContentAtomic(preprocessor, json(preprocessorConfigJson(preprocess, imageSize)));
  }
  await wrote(preprocessor);
  const prompts = join(modelDir, ZERO_SHOT_PROMPTS_FILE);
  if (existsSync(prompts)) {
    await writeContentAtomic(join(outDir, ZERO_SHOT_PROMPTS_FILE), await readFile(prompts));
    await wrote(join(outDir, ZERO_SHOT_PROMPTS_FILE));
  }

  const exported: ClipConfig = { ...config, tokenizer, backend: onnxRuntimeBackendSchema.parse({ type: 'onnxruntime' }) };
  const clipkitJson = join(outDir, LAYOUT_CONFIG_FILES.clipkit);
  await writeContentAtomic(clipkitJson, json(exported));
  await wrote(clipkitJson);
  return written;
}
