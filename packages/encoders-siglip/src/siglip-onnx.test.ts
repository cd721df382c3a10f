import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureTensorBackend,
  exportOnnxModel,
  type OnnxModel,
  plugins as onnxPlugins,
  readTowerWeights,
  towerOnnxModel,
  towerWeightShapes,
  writeOnnxModel,
} from '@clipkit/backend-onnxruntime';
import { plugins as tfjsPlugins } from '@clipkit/backend-tfjs';
import { type AnyClipPlugin, hfStorageOf, type LoadedClip, loadClip, readModelDirectory, SafetensorsFile } from '@clipkit/core';
import { plugins as tokenizerPlugins } from '@clipkit/tokenizer-sentencepiece';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, loadSiglipTiny, SIGLIP_TINY, type SiglipTinyFixture } from './siglip-fixture.test-support.js';
import { plugins as siglipPlugins } from './siglip-plugins.js';

// Truth: transformers' SiglipModel on siglip-tiny. The folder is exported through the towers' onnx.graph by
// @clipkit/backend-onnxruntime's exportOnnxModel, and the export runs on onnxruntime through loadClip.

const PLUGINS: readonly AnyClipPlugin[] = [...tfjsPlugins, ...onnxPlugins, ...siglipPlugins, ...tokenizerPlugins];
const out = mkdtempSync(join(tmpdir(), 'clipkit-siglip-onnx-'));
const report: string[] = [];
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  console.log(`siglip-tiny exported to ONNX, on onnxruntime, max|err| / max(1, max|ref|) (bound 2e-5):\n${report.join('\n')}`);
});

describe('SigLIP towers exported to ONNX (siglip-tiny on onnxruntime)', () => {
  let fixture: SiglipTinyFixture;
  let loaded: LoadedClip;
  let files: string[];

  beforeAll(async () => {
    fixture = await loadSiglipTiny();
    files = await exportOnnxModel(SIGLIP_TINY, out, PLUGINS);
    loaded = await loadClip(out, PLUGINS, { log: () => undefined });
    return async () => {
      await loaded.dispose();
      fixture.dispose();
    };
  });

  it('writes both towers, the logit scale and bias, and a config that runs them on onnxruntime', async () => {
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['vision.onnx', 'text.onnx', 'model.safetensors', 'preprocessor_config.json', 'clipkit.json']);
    const config = JSON.parse(readFileSync(join(out, 'clipkit.json'), 'utf8'));
    expect([config.backend.type, config.model.vision.type, config.model.text.type, config.tokenizer]).toEqual([
      'onnxruntime',
      'siglip',
      'siglip',
      { type: 'siglip', path: SIGLIP_TINY },
    ]);
    expect([loaded.model.logitScale, loaded.model.logitBias]).toEqual([expect.closeTo(9.1386, 4), expect.closeTo(-2.033757, 6)]);
  });

  it('gives image_embeds, text_embeds and both logits', async () => {
    const image = await loaded.model.encodeImage(fixture.pixels);
    const text = await loaded.model.encodeText(fixture.ids);
    const { logitsPerImage, logitsPerText } = loaded.model.logits(image, text);
    for (const [tensor, name] of [
      [image, 'image_embeds'],
      [text, 'text_embeds'],
      [logitsPerImage, 'logits_per_image'],
      [logitsPerText, 'logits_per_text'],
    ] as const)
      report.push(`  onnxruntime ${name} ${expectClose(tensor, fixture.outputs.get(name)!, name).toExponential(2)}`);
    tf.dispose([image, text, logitsPerImage, logitsPerText]);
  });

  it('runs batches of one and of any size (the batch dimension is dynamic)', async () => {
    const one = tf.slice(fixture.pixels, [3, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const image = await loaded.model.encodeImage(one);
    const all = await loaded.model.encodeImage(fixture.pixels);
    const row = tf.slice(all, [3, 0], [1, -1]);
    expect(tf.max(tf.abs(tf.sub(image, row))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
    tf.dispose([one, image, all, row]);
  });
});

/** The value of the graph node that reads weight `reads` (e.g. the LayerNormalization reading post_layernorm.weight). */
function producerOf(model: OnnxModel, reads: string): string {
  const node = model.graph.nodes.find((n) => n.inputs.includes(reads));
  if (!node) throw new Error(`no node of the graph reads ${reads}`);
  return node.outputs[0];
}

type Intermediates = Readonly<Record<string, { reads: string; dims: readonly (number | string)[] }>>;

describe("the ONNX graphs' intermediates (siglip-tiny on onnxruntime)", () => {
  let fixture: SiglipTinyFixture;

  beforeAll(async () => {
    fixture = await loadSiglipTiny();
    await ensureTensorBackend();
    return () => fixture.dispose();
  });

  /** Runs one tower's exported graph with the intermediates as further outputs: name -> values. */
  async function run(tower: 'image' | 'text', intermediates: Intermediates, feeds: Record<string, ort.Tensor>): Promise<Map<string, Float32Array>> {
    const { config } = await readModelDirectory(SIGLIP_TINY, PLUGINS);
    const shapes = { image: towerWeightShapes(config, 'image', PLUGINS), text: towerWeightShapes(config, 'text', PLUGINS) };
    const file = await SafetensorsFile.open(`${SIGLIP_TINY}/model.safetensors`);
    const weights = await readTowerWeights(file, tower, shapes, hfStorageOf(config.model, PLUGINS));
    await file.close();
    const model = towerOnnxModel(config.model, tower, PLUGINS, weights);
    const values = Object.entries(intermediates).map(([name, { reads, dims }]) => ({ name, value: producerOf(model, reads), dims }));
    const outputs = [...model.graph.outputs, ...values.map(({ value, dims }) => ({ name: value, dataType: 'float32' as const, dims }))];
    const path = join(out, `${tower}-intermediates.onnx`);
    await writeOnnxModel(path, { ...model, graph: { ...model.graph, outputs } });
    const session = await ort.InferenceSession.create(path);
    const results = await session.run(feeds);
    await session.release();
    return new Map(values.map(({ name, value }) => [name, results[value].data as Float32Array]));
  }

  it('match vision_embeddings, vision_post_layernorm and vision_head_attention', async () => {
    const got = await run(
      'image',
      {
        vision_embeddings: { reads: 'embeddings.position_embedding.weight', dims: ['batch', 16, 64] },
        vision_post_layernorm: { reads: 'post_layernorm.weight', dims: ['tokens', 64] },
        vision_head_attention: { reads: 'head.attention.out_proj.weight', dims: ['batch', 64] },
      },
      { pixel_values: new ort.Tensor('float32', fixture.pixels.dataSync() as Float32Array, fixture.pixels.shape) },
    );
    for (const [name, values] of got) {
      const ref = fixture.outputs.get(name)!;
      const actual = tf.tensor(values, ref.shape);
      report.push(`  onnxruntime ${name} ${expectClose(actual, ref, name).toExponential(2)}`);
      actual.dispose();
    }
  });

  it('match text_pooled', async () => {
    const ids = BigInt64Array.from(fixture.ids.dataSync(), (v) => BigInt(v));
    const got = await run('text', { text_pooled: { reads: 'final_layer_norm.weight', dims: ['batch', 64] } }, { input_ids: new ort.Tensor('int64', ids, fixture.ids.shape) });
    const ref = fixture.outputs.get('text_pooled')!;
    const actual = tf.tensor(got.get('text_pooled')!, ref.shape);
    report.push(`  onnxruntime text_pooled ${expectClose(actual, ref, 'text_pooled').toExponential(2)}`);
    actual.dispose();
  });
});
