import { readFileSync } from 'node:fs';
import type { ModelConfig } from '@clipkit/core';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { resnetGraph } from './resnet-graph.js';
import { textGraph } from './text-graph.js';
import { checkTowerWeights, type TowerWeights } from './tower-weights.js';
import { vitGraph } from './vit-graph.js';

/** LayerNormalization entered the default domain in opset 17; everything else here is older. */
export const OPSET = 17;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function towerModel(graph: OnnxModel['graph'], tower: 'image' | 'text', config: unknown): OnnxModel {
  return {
    graph,
    opset: OPSET,
    producerName: 'clipkit',
    producerVersion: version,
    metadata: { 'clipkit.tower': tower, 'clipkit.config': JSON.stringify(config) },
  };
}

/**
 * The image tower as an ONNX model: input `pixel_values` float32 [N, 3, S, S] (CLIP-normalised), output
 * `image_embeds` float32 [N, embedDim] (unnormalised), N dynamic. `weights` holds the `visual.*` tensors.
 */
export function imageTowerModel(model: ModelConfig, weights: TowerWeights): OnnxModel {
  checkTowerWeights(model, 'image', weights);
  const { vision, embedDim } = model;
  const graph = vision.type === 'vit' ? vitGraph(vision, embedDim, weights) : resnetGraph(vision, embedDim, weights);
  return towerModel(graph, 'image', { embedDim, vision });
}

/** The text tower as an ONNX model: input `input_ids` int64 [N, L], output `text_embeds` float32 [N, embedDim], N dynamic. */
export function textTowerModel(model: ModelConfig, weights: TowerWeights): OnnxModel {
  checkTowerWeights(model, 'text', weights);
  return towerModel(textGraph(model.text, model.embedDim, weights), 'text', { embedDim: model.embedDim, text: model.text });
}

/** Writes the image tower to `path` (atomically); see imageTowerModel. */
export async function exportImageTower(path: string, model: ModelConfig, weights: TowerWeights): Promise<void> {
  await writeOnnxModel(path, imageTowerModel(model, weights));
}

/** Writes the text tower to `path` (atomically); see textTowerModel. */
export async function exportTextTower(path: string, model: ModelConfig, weights: TowerWeights): Promise<void> {
  await writeOnnxModel(path, textTowerModel(model, weights));
}
