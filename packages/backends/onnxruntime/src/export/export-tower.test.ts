import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hfStorageOf, type ModelConfig, readModelDirectory, SafetensorsFile, WeightsError, writeSafetensors } from '@clipkit/core';
import { vitPlugin } from '@clipkit/encoders-vit';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTensorBackend } from '../runtime/tensor-backend.js';
import { FIXTURE_MODELS, MODELS, PLUGINS, parityError, pickRows, type Reference, readReference } from '../testing/fixtures.js';
import type { Tower } from '../tower.js';
import { exportTower, OPSET, towerOnnxModel } from './export-tower.js';
import { type ModelWeightShapes, readTowerWeights } from './read-tower-weights.js';
import { towerWeightShapes } from './tower-weight-shapes.js';

// Exports of the fixture models (OpenAI clip/model.py, random weights) run in onnxruntime against the
// reference outputs, at the fixtures' tolerance 1e-4 x max(1, max|ref|) (fixtures/README.md).

/** The fixture directories as models for this backend (these plug-ins hold onnxruntime's backend schema, not tfjs's). */
const ONNX_RUNTIME = { backend: { type: 'onnxruntime' } };

interface FixtureWeights {
  model: ModelConfig;
  shapes: ModelWeightShapes;
  image: Map<string, Float32Array>;
  text: Map<string, Float32Array>;
}

async function fixtureWeights(dir: string): Promise<FixtureWeights> {
  await ensureTensorBackend();
  const directory = await readModelDirectory(`${MODELS}/${dir}`, PLUGINS, ONNX_RUNTIME);
  const { config } = directory;
  const shapes = { image: towerWeightShapes(config, 'image', PLUGINS), text: towerWeightShapes(config, 'text', PLUGINS) };
  const storage = directory.layout === 'huggingface' ? hfStorageOf(config.model, PLUGINS) : undefined;
  const file = await SafetensorsFile.open(directory.weightsFile);
  try {
    const [image, text] = [await readTowerWeights(file, 'image', shapes, storage), await readTowerWeights(file, 'text', shapes, storage)];
    return { model: config.model, shapes, image: new Map(image), text: new Map(text) };
  } finally {
    await file.close();
  }
}

const IO = { image: ['pixel_values', 'image_embeds'], text: ['input_ids', 'text_embeds'] } as const;

/** Runs an exported tower on fixture rows and returns its embeddings. */
async function run(session: ort.InferenceSession, tower: Tower, reference: Reference, rows: readonly number[]): Promise<Float32Array> {
  const input = tower === 'image' ? reference.pixelValues : reference.inputIds;
  const rowSize = input.shape.slice(1).reduce((n, d) => n * d, 1);
  const data = pickRows(input.data as Float32Array | BigInt64Array, rowSize, rows);
  const tensor = new ort.Tensor(tower === 'image' ? 'float32' : 'int64', data, [rows.length, ...input.shape.slice(1)]);
  const out = await session.run({ [IO[tower][0]]: tensor });
  return out[IO[tower][1]].data as Float32Array;
}

describe.each(FIXTURE_MODELS)('export of %s', (dir, referenceDir) => {
  const folder = mkdtempSync(join(tmpdir(), 'clipkit-export-'));
  const path = { image: join(folder, 'vision.onnx'), text: join(folder, 'text.onnx') };
  let reference: Reference;

  beforeAll(async () => {
    const { model, image, text } = await fixtureWeights(dir);
    await exportTower(path.image, model, 'image', PLUGINS, image);
    await exportTower(path.text, model, 'text', PLUGINS, text);
    reference = await readReference(referenceDir);
  });

  it.each(['image', 'text'] as const)('%s tower: reproduces the reference at batch 4, 5 and 1 (every row) with graph optimisation "all"', async (tower) => {
    const session = await ort.InferenceSession.create(path[tower], { graphOptimizationLevel: 'all' });
    const expected = reference.outputs.get(IO[tower][1])!;
    const width = expected.shape[1];
    for (const rows of [[0, 1, 2, 3], [3, 1, 0, 2, 1], [0], [1], [2], [3]]) {
      const { error, bound } = parityError(await run(session, tower, reference, rows), pickRows(expected.data as Float32Array, width, rows));
      expect(error, `rows ${rows}`).toBeLessThanOrEqual(bound);
    }
    await session.release();
  });

  it.each(['image', 'text'] as const)("%s tower: the unoptimised graph gives the same embeddings (the maths is in the graph, not in onnxruntime's fusions)", async (tower) => {
    const session = await ort.InferenceSession.create(path[tower], { graphOptimizationLevel: 'disabled' });
    const { error, bound } = parityError(await run(session, tower, reference, [0, 1, 2, 3]), reference.outputs.get(IO[tower][1])!.data as Float32Array);
    expect(error).toBeLessThanOrEqual(bound);
    await session.release();
  });
});

describe('text tower pooling', () => {
  it('pools at the first eosTokenId when the config sets one (Hugging Face transformers), and at position 0 where the id is absent', async () => {
    const { model, text } = await fixtureWeights('vit-b-tiny-quickgelu');
    const reference = await readReference('vit-b-tiny-quickgelu');
    const ids = reference.inputIds.data as BigInt64Array;
    const eos = Number(ids[2 * 77 + 3]); // a token of row 2, before its end of text
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-eos-')), 'text.onnx');
    await exportTower(path, { ...model, text: { ...model.text, eosTokenId: eos } }, 'text', PLUGINS, text);
    const session = await ort.InferenceSession.create(path);
    const got = await run(session, 'text', reference, [0, 1, 2, 3]);

    // Independent truth: the reference's ln_final output at the first occurrence, times text_projection.
    const hidden = reference.outputs.get('text_hidden_after_ln_final')!.data as Float32Array; // [4, 77, 64]
    const projection = text.get('text_projection')!; // [64, 64]
    const expected = new Float32Array(4 * 64);
    for (let b = 0; b < 4; b++) {
      const row = ids.subarray(b * 77, (b + 1) * 77);
      const position = Math.max(0, row.indexOf(BigInt(eos)));
      for (let e = 0; e < 64; e++) for (let d = 0; d < 64; d++) expected[b * 64 + e] += hidden[(b * 77 + position) * 64 + d] * projection[d * 64 + e];
    }
    const { error, bound } = parityError(got, expected);
    expect(error).toBeLessThanOrEqual(bound);
    await session.release();
  });
});

describe('exported graphs', () => {
  it('are opset 17 with a symbolic batch axis, named inputs and outputs', async () => {
    const { model, image, text } = await fixtureWeights('rn-tiny');
    const vision = towerOnnxModel(model, 'image', PLUGINS, image);
    expect(vision.opset).toBe(OPSET);
    expect(OPSET).toBe(17);
    expect(vision.graph.inputs).toEqual([{ name: 'pixel_values', dataType: 'float32', dims: ['batch', 3, 64, 64] }]);
    expect(vision.graph.outputs).toEqual([{ name: 'image_embeds', dataType: 'float32', dims: ['batch', 64] }]);
    const textModel = towerOnnxModel(model, 'text', PLUGINS, text);
    expect(textModel.graph.inputs).toEqual([{ name: 'input_ids', dataType: 'int64', dims: ['batch', 77] }]);
    expect(textModel.graph.outputs).toEqual([{ name: 'text_embeds', dataType: 'float32', dims: ['batch', 64] }]);
  });

  it('keep the weights as initializers that view the given arrays (no copy of the big matrices)', async () => {
    const { model, text } = await fixtureWeights('vit-b-tiny-quickgelu');
    const initializers = new Map(towerOnnxModel(model, 'text', PLUGINS, text).graph.initializers.map((t) => [t.name, t]));
    expect(initializers.get('token_embedding.weight')!.data).toBe(text.get('token_embedding.weight'));
    expect(initializers.get('transformer.resblocks.0.mlp.c_fc.weight')!.data).toBe(text.get('transformer.resblocks.0.mlp.c_fc.weight'));
    expect(initializers.get('transformer.resblocks.0.attn.in_proj_weight[k]')!.data.buffer).toBe(text.get('transformer.resblocks.0.attn.in_proj_weight')!.buffer);
  });

  it("use the config's LayerNorm epsilon and activation", async () => {
    const { model, image, text } = await fixtureWeights('vit-b-tiny-gelu');
    const eps = 1e-6;
    const graphs = [
      towerOnnxModel({ ...model, vision: { ...model.vision, layerNormEps: eps } }, 'image', PLUGINS, image).graph,
      towerOnnxModel({ ...model, text: { ...model.text, layerNormEps: eps } }, 'text', PLUGINS, text).graph,
    ];
    for (const graph of graphs) {
      const norms = graph.nodes.filter((n) => n.opType === 'LayerNormalization');
      expect(norms.length).toBeGreaterThan(0);
      for (const node of norms) expect(node.attributes.epsilon).toEqual({ type: 'float', value: eps });
      // exact GELU: erf, and no sigmoid (QuickGELU's)
      expect(graph.nodes.some((n) => n.opType === 'Erf')).toBe(true);
      expect(graph.nodes.some((n) => n.opType === 'Sigmoid')).toBe(false);
    }
    const quick = await fixtureWeights('vit-b-tiny-quickgelu');
    const quickGraph = towerOnnxModel(quick.model, 'text', PLUGINS, quick.text).graph;
    expect(quickGraph.nodes.some((n) => n.opType === 'Sigmoid')).toBe(true);
    expect(quickGraph.nodes.some((n) => n.opType === 'Erf')).toBe(false);
  });

  it("are built by the tower's plug-in, and a tower without an ONNX export or without a plug-in is an error naming its type", async () => {
    const { model, image } = await fixtureWeights('vit-b-tiny-quickgelu');
    const withoutGraph = PLUGINS.map((p) => (p === vitPlugin ? { ...vitPlugin, onnx: undefined } : p));
    expect(() => towerOnnxModel(model, 'image', withoutGraph, image)).toThrow(/model\.vision\.type "vit": its plug-in has no ONNX export \(onnx\.graph\)/);
    const withoutVit = PLUGINS.filter((p) => p !== vitPlugin);
    expect(() => towerOnnxModel(model, 'image', withoutVit, image)).toThrow(/model\.vision\.type "vit": no plug-in given provides this tower.*install @clipkit\/encoders-vit/);
  });

  it('name a weight the graph needs and was not given', async () => {
    const { model, image } = await fixtureWeights('vit-b-tiny-quickgelu');
    const broken = new Map(image);
    broken.delete('ln_pre.weight');
    expect(() => towerOnnxModel(model, 'image', PLUGINS, broken)).toThrow(WeightsError);
    expect(() => towerOnnxModel(model, 'image', PLUGINS, broken)).toThrow(/needs the weight "ln_pre\.weight"/);
  });
});

describe('tower weights', () => {
  it('take their names and shapes from the tower the plug-in builds, leaving no tensor behind', async () => {
    await ensureTensorBackend();
    const { config } = await readModelDirectory(`${MODELS}/rn-tiny`, PLUGINS, ONNX_RUNTIME);
    const before = tf.memory().numTensors;
    const shapes = towerWeightShapes(config, 'image', PLUGINS);
    expect(tf.memory().numTensors).toBe(before);
    expect(shapes.get('conv1.weight')).toEqual([8, 3, 3, 3]);
    expect(shapes.get('layer2.0.downsample.0.weight')).toEqual([128, 64, 1, 1]);
    expect(shapes.get('attnpool.c_proj.weight')).toEqual([64, 512]);
  });

  it('are read one tower at a time, every missing, misshaped and unexpected tensor reported at once', async () => {
    const { shapes } = await fixtureWeights('vit-b-tiny-quickgelu');
    const original = await SafetensorsFile.open(`${MODELS}/vit-b-tiny-quickgelu/model.safetensors`);
    const tensors = new Map();
    for (const name of original.names) tensors.set(name, await original.read(name));
    await original.close();
    tensors.delete('visual.ln_pre.weight');
    tensors.set('visual.proj', { dtype: 'F32', shape: [10], data: new Float32Array(10) });
    tensors.set('visual.extra', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-broken-')), 'model.safetensors');
    await writeSafetensors(path, tensors);
    const file = await SafetensorsFile.open(path);
    const error = await readTowerWeights(file, 'image', shapes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).toMatch(/3 problems/);
    expect((error as Error).message).toMatch(/missing: "visual\.ln_pre\.weight", expected shape \[128\]/);
    expect((error as Error).message).toMatch(/misshaped: "visual\.proj": the model expects \[128, 64\], the file has \[10\]/);
    expect((error as Error).message).toMatch(/unexpected: "visual\.extra"/);
    // Reading the text tower leaves the image tower's tensors alone, but a tensor neither tower has is still unexpected.
    await expect(readTowerWeights(file, 'text', shapes)).rejects.toThrow(/\(1 problem\):\n {2}- unexpected: "visual\.extra"/);
    await file.close();
  });
});
