import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph-builder.js';

describe('GraphBuilder', () => {
  it('names nodes after their scope and shares equal int64 and scalar constants', () => {
    const g = new GraphBuilder('test');
    const x = g.input('x', 'float32', ['batch', 4]);
    const y = g.inScope('block', () => g.inScope('attn', () => g.node('Reshape', [x, g.int64s([-1, 2, 2])])));
    const z = g.node('Reshape', [y, g.int64s([-1, 2, 2])]);
    g.node('Mul', [z, g.scalar(2)], {}, 'out');
    g.output('out', 'float32', ['batch', 2, 2]);
    const graph = g.build();
    expect(graph.nodes.map((n) => n.name)).toEqual(['block.attn/Reshape_0', 'Reshape_1', 'Mul_2']);
    expect(graph.initializers.map((t) => t.name)).toEqual(['int64s(-1,2,2)', 'scalar(2)']);
    expect(graph.nodes[2].outputs).toEqual(['out']);
  });

  it('refuses a node reading a value nothing produced, and an output nothing produces', () => {
    const g = new GraphBuilder('test');
    expect(() => g.node('Relu', ['missing'])).toThrow(/node Relu_0 reads "missing", which no earlier node, input or constant produces/);
    expect(() => g.output('nothing', 'float32', [1])).toThrow(/output "nothing" is not produced by any node/);
  });

  it('refuses two values of one name and a constant whose data does not fit its shape', () => {
    const g = new GraphBuilder('test');
    g.constant('w', 'float32', [2], new Float32Array(2));
    expect(() => g.constant('w', 'float32', [2], new Float32Array(2))).toThrow(/"w" is used twice/);
    expect(() => g.constant('v', 'float32', [2, 3], new Float32Array(5))).toThrow(/"v" has 5 values for shape \[2, 3\]/);
  });
});
