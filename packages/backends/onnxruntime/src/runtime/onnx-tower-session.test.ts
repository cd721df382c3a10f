import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataTypeAttribute } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { OnnxTowerSession } from './onnx-tower-session.js';

/** A stand-in for Optimum's text_model.onnx: inputs input_ids and attention_mask, outputs last_hidden_state and text_embeds = ids + mask. */
async function optimumLikeTextModel(path: string, length: number): Promise<void> {
  const g = new GraphBuilder('optimum_like');
  const ids = g.input('input_ids', 'int64', ['batch', length]);
  const mask = g.input('attention_mask', 'int64', ['batch', length]);
  const sum = g.node('Cast', [g.node('Add', [ids, mask])], { to: dataTypeAttribute('float32') }, 'last_hidden_state');
  g.node('Identity', [sum], {}, 'text_embeds');
  g.output('last_hidden_state', 'float32', ['batch', length]);
  g.output('text_embeds', 'float32', ['batch', length]);
  await writeOnnxModel(path, { graph: g.build(), opset: 17, producerName: 'test', producerVersion: '0', metadata: {} });
}

describe('OnnxTowerSession', () => {
  it('feeds an attention_mask input with ones and reads the output named text_embeds among several', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-session-')), 'text_model.onnx');
    await optimumLikeTextModel(path, 3);
    const tower = new OnnxTowerSession(path, 'text', { input: [3], embedDim: 3 }, {});
    const out = await tower.run(BigInt64Array.of(5n, 6n, 7n, 0n, 0n, 9n), 2);
    expect([...out]).toEqual([6, 7, 8, 1, 1, 10]);
    await tower.release();
  });

  it('says which names it looked for when it cannot tell the output', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-session-')), 'model.onnx');
    const g = new GraphBuilder('two_outputs');
    const x = g.input('pixel_values', 'float32', ['batch', 2]);
    g.node('Identity', [x], {}, 'a');
    g.node('Identity', [x], {}, 'b');
    g.output('a', 'float32', ['batch', 2]);
    g.output('b', 'float32', ['batch', 2]);
    await writeOnnxModel(path, { graph: g.build(), opset: 17, producerName: 'test', producerVersion: '0', metadata: {} });
    const tower = new OnnxTowerSession(path, 'image', { input: [2], embedDim: 2 }, {});
    await expect(tower.load()).rejects.toThrow(/cannot tell which output to use: expected "image_embeds" or a single one, found "a", "b"/);
    await tower.release();
  });
});
