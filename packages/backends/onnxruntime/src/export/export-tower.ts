import { readFileSync } from 'node:fs';
import { type AnyClipPlugin, ClipkitError, type ModelConfig, type PluginSection, type TowerOnnxExport } from '@clipkit/core';
import { GraphBuilder } from '../onnx/graph-builder.js';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { type Tower, towerPlugin, towerSection, towerSectionPath } from '../tower.js';
import { type ExportPrecision, withExportPrecision } from './export-precision.js';
import { type TowerWeights, WeightInitializers } from './weight-initializers.js';

/** LayerNormalization entered the default domain in opset 17; everything else here is older. */
export const OPSET = 17;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** This package's version, recorded as the producer of every export (and part of the CLI's export cache key). */
export const EXPORTER_VERSION = version;

/** A tower's ONNX export, from its plug-in; a ClipkitError naming the tower's type when the plug-in has none. */
export function towerOnnxExport(model: ModelConfig, tower: Tower, plugins: readonly AnyClipPlugin[]): TowerOnnxExport<PluginSection> {
  const plugin = towerPlugin(model, tower, plugins);
  if (plugin.onnx) return plugin.onnx;
  throw new ClipkitError(
    `${towerSectionPath(tower)}.type "${towerSection(model, tower).type}": its plug-in has no ONNX export (onnx.graph), so this model cannot be exported to ONNX; run it with backend tfjs`,
  );
}

/**
 * A tower as an ONNX model, built by its plug-in's `onnx.graph`: the image tower takes `pixel_values` float32
 * [N, 3, S, S] (CLIP-normalised) and returns `image_embeds` float32 [N, embedDim], the text tower takes
 * `input_ids` int64 [N, L] and returns `text_embeds`, unnormalised, N dynamic. `weights` are the tower's, by
 * its state-dict names (readTowerWeights). The model's metadata records the tower and its section.
 */
export function towerOnnxModel(model: ModelConfig, tower: Tower, plugins: readonly AnyClipPlugin[], weights: TowerWeights): OnnxModel {
  const section = towerSection(model, tower);
  const g = new GraphBuilder(`clipkit_${section.type}`);
  towerOnnxExport(model, tower, plugins).graph(section, model.embedDim, g, new WeightInitializers(g, weights));
  return {
    graph: g.build(),
    opset: OPSET,
    producerName: 'clipkit',
    producerVersion: EXPORTER_VERSION,
    metadata: { 'clipkit.tower': tower, 'clipkit.config': JSON.stringify({ embedDim: model.embedDim, [tower === 'image' ? 'vision' : 'text']: section }) },
  };
}

/** Writes a tower to `path` (atomically), its weights stored as `precision` asks (default float32); see towerOnnxModel. Returns the model's metadata. */
export async function exportTower(
  path: string,
  model: ModelConfig,
  tower: Tower,
  plugins: readonly AnyClipPlugin[],
  weights: TowerWeights,
  precision: ExportPrecision = {},
): Promise<Readonly<Record<string, string>>> {
  const exported = await withExportPrecision(towerOnnxModel(model, tower, plugins, weights), precision);
  await writeOnnxModel(path, exported);
  return exported.metadata;
}
