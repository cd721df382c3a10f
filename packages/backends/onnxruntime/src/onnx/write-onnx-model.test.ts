import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatAttribute, intAttribute, intsAttribute } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph-builder.js';
import { writeOnnxModel } from './write-onnx-model.js';

// onnxruntime is the independent reader of the encoder: a small graph using every attribute kind and a
// constant larger than one write is written, loaded and run, and its outputs computed by hand here.

const maxAbsDiff = (a: ArrayLike<number>, b: readonly number[]) => Math.max(...b.map((v, i) => Math.abs(a[i] - v)));

async function writeTestModel(path: string, big: Float32Array): Promise<void> {
  const g = new GraphBuilder('test');
  const x = g.input('x', 'float32', ['batch', 2, 3]);
  const shifted = g.node('Mul', [g.node('Add', [x, g.constant('c', 'float32', [3], Float32Array.of(1, 0, -1))]), g.scalar(2)]);
  g.node('Transpose', [g.node('Softmax', [shifted], { axis: intAttribute(-1) })], { perm: intsAttribute([0, 2, 1]) }, 'softmax_t'); // [batch, 3, 2]
  g.node(
    'LayerNormalization',
    [x, g.constant('gamma', 'float32', [3], Float32Array.of(1, 1, 1)), g.constant('beta', 'float32', [3], Float32Array.of(0, 0, 0))],
    { epsilon: floatAttribute(0.5) },
    'normed',
  );
  g.node('Gather', [g.constant('big', 'float32', [big.length], big), g.int64s([big.length - 1, 7])], { axis: intAttribute(0) }, 'picked');
  g.output('softmax_t', 'float32', ['batch', 3, 2]);
  g.output('normed', 'float32', ['batch', 2, 3]);
  g.output('picked', 'float32', [2]);
  await writeOnnxModel(path, { graph: g.build(), opset: 17, producerName: 'test', producerVersion: '0', metadata: { purpose: 'test' } });
}

describe('writeOnnxModel', () => {
  it('writes a model onnxruntime loads and runs as written (attributes, symbolic batch, large raw_data)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'clipkit-onnx-')), 'test.onnx');
    const big = Float32Array.from({ length: 400_000 }, (_, i) => i); // 1.6 MB: written past the 1 MiB write buffer
    await writeTestModel(path, big);
    const session = await ort.InferenceSession.create(path);
    expect(session.inputMetadata[0]).toMatchObject({ name: 'x', isTensor: true, type: 'float32', shape: ['batch', 2, 3] });

    const x = Float32Array.of(0, 1, 2, 3, 3, 3);
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, 2, 3]) });
    expect(out.picked.data).toEqual(Float32Array.of(399_999, 7));

    // softmax(2 (x + c)) over the last axis, then rows and columns swapped.
    const rows = [
      [1, 1, 1],
      [4, 3, 2],
    ].map((logits) => logits.map((l) => Math.exp(2 * l)));
    const softmax = rows.map((row) => row.map((v) => v / row.reduce((a, b) => a + b, 0)));
    const transposed = [0, 1, 2].flatMap((c) => [0, 1].map((r) => softmax[r][c]));
    expect(maxAbsDiff(out.softmax_t.data as Float32Array, transposed)).toBeLessThan(1e-6);

    // LayerNorm of [0, 1, 2] with epsilon 0.5: (x - 1) / sqrt(2/3 + 0.5).
    const expected = [0, 1, 2].map((v) => (v - 1) / Math.sqrt(2 / 3 + 0.5));
    expect(maxAbsDiff(out.normed.data as Float32Array, expected)).toBeLessThan(1e-6);
    await session.release();
  });
});
