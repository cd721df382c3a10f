import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelDirectory, SafetensorsFile } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { towerOnnxModel } from '../export/export-tower.js';
import { readTowerWeights } from '../export/read-tower-weights.js';
import { towerWeightShapes } from '../export/tower-weight-shapes.js';
import type { OnnxModel } from '../onnx/onnx-model.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { ensureTensorBackend } from '../runtime/tensor-backend.js';
import { MODELS, PLUGINS, readReference } from '../testing/fixtures.js';
import { averagePoolsAsConvs } from './average-pools-as-convs.js';

// The rn-tiny ResNet's 7 AveragePools (2 x 2, stride 2: 1 in the stem, 2 in each of 3 strided blocks; see
// quantize-static-int8.test.ts) become depthwise convolutions of weight 1/4, which compute the same average:
// the float tower's embeddings agree to the fixtures' float32 tolerance, 1e-4 x max(1, max|ref|)
// (fixtures/README.md), as only the order of four additions may differ.

const opCount = (model: OnnxModel, op: string) => model.graph.nodes.filter((n) => n.opType === op).length;

describe('averagePoolsAsConvs on the rn-tiny image tower', () => {
  const folder = mkdtempSync(join(tmpdir(), 'clipkit-pools-as-convs-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('replaces every tiling AveragePool by a depthwise Conv and computes the same embeddings', async () => {
    await ensureTensorBackend();
    const { config, weightsFile } = await readModelDirectory(`${MODELS}/rn-tiny`, PLUGINS, { backend: { type: 'onnxruntime' } });
    const shapes = { image: towerWeightShapes(config, 'image', PLUGINS), text: towerWeightShapes(config, 'text', PLUGINS) };
    const file = await SafetensorsFile.open(weightsFile);
    const pools = towerOnnxModel(config.model, 'image', PLUGINS, await readTowerWeights(file, 'image', shapes, undefined));
    await file.close();
    const convs = averagePoolsAsConvs(pools);
    expect([opCount(pools, 'AveragePool'), opCount(convs, 'AveragePool')]).toEqual([7, 0]);
    expect(opCount(convs, 'Conv')).toBe(opCount(pools, 'Conv') + 7);
    const depthwise = convs.graph.nodes.filter((n) => n.opType === 'Conv' && n.attributes.group !== undefined);
    expect(depthwise.map((n) => n.attributes.group)).toEqual(
      // Channels (clip/model.py, width 16): the stem's 16; then in layer2-4 the main path's planes (32, 64, 128)
      // before the downsample branch's inplanes (64, 128, 256).
      [16, 32, 64, 64, 128, 128, 256].map((value) => ({ type: 'int', value })),
    );

    const { pixelValues } = await readReference('rn-tiny');
    const embeds: Float32Array[] = [];
    for (const [name, model] of [
      ['pools', pools],
      ['convs', convs],
    ] as const) {
      const path = join(folder, `${name}.onnx`);
      await writeOnnxModel(path, model);
      const session = await ort.InferenceSession.create(path);
      embeds.push((await session.run({ pixel_values: new ort.Tensor('float32', pixelValues.data as Float32Array, [...pixelValues.shape]) })).image_embeds.data as Float32Array);
      await session.release();
    }
    const scale = Math.max(1, ...embeds[0].map(Math.abs));
    const worst = Math.max(...embeds[0].map((v, i) => Math.abs(v - embeds[1][i])));
    expect(worst).toBeLessThanOrEqual(1e-4 * scale);
  });
});
