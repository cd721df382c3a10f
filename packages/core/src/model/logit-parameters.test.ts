import '@tensorflow/tfjs'; // the cpu backend and tfjs's gradients
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipkitError } from '../errors.js';
import { LogitParameters } from './logit-parameters.js';

const FLOAT32 = 1e-6; // relative rounding of a value stored as float32

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LogitParameters', () => {
  it('holds t and b under OpenAI/open_clip state-dict names, shape [], trainable', () => {
    const clip = new LogitParameters(Math.log(1 / 0.07), null);
    expect([...clip.stateDict()].map(([name, v]) => [name, v.shape, v.trainable])).toEqual([['logit_scale', [], true]]);
    expect(Math.abs(clip.scaleValue() * 0.07 - 1)).toBeLessThan(FLOAT32);
    expect(clip.biasValue()).toBeNull();
    const siglip = new LogitParameters(Math.log(10), -10);
    expect([...siglip.stateDict()].map(([name, v]) => [name, v.shape, v.trainable])).toEqual([
      ['logit_scale', [], true],
      ['logit_bias', [], true],
    ]);
    expect(siglip.biasValue()).toBe(-10);
    clip.dispose();
    siglip.dispose();
  });

  it('gives exp(t) as a tensor differentiable in t: d exp(t) / dt = exp(t)', () => {
    const logits = new LogitParameters(1.5, null);
    const { value, grads } = tf.variableGrads(() => logits.scale(), [logits.logScale]);
    expect(Math.abs(value.dataSync()[0] / Math.exp(1.5) - 1)).toBeLessThan(FLOAT32);
    expect(Math.abs(grads[logits.logScale.name].dataSync()[0] / Math.exp(1.5) - 1)).toBeLessThan(FLOAT32);
    tf.dispose([value, ...Object.values(grads)]);
    logits.dispose();
  });

  it("clamps t to [0, max] in place, as open_clip's train loop, and leaves the bias alone", () => {
    // [initial t, max, expected t]
    const cases: [number, number, number][] = [
      [5, Math.log(100), Math.log(100)], // the scale is capped at 100
      [-0.5, Math.log(100), 0], // the scale never drops under 1
      [2, Math.log(100), 2],
      [2, 1.5, 1.5],
    ];
    for (const [initial, max, expected] of cases) {
      const logits = new LogitParameters(initial, -20);
      const variable = logits.logScale;
      const before = tf.memory().numTensors;
      logits.clamp(max);
      expect(tf.memory().numTensors).toBe(before);
      expect(logits.logScale).toBe(variable);
      expect(Math.abs(logits.logScale.dataSync()[0] - expected)).toBeLessThan(FLOAT32);
      expect(logits.biasValue()).toBe(-20);
      logits.dispose();
    }
  });

  it('rejects values that are not finite, naming the config field', () => {
    expect(() => new LogitParameters(Number.NaN, null)).toThrow(ClipkitError);
    expect(() => new LogitParameters(Number.POSITIVE_INFINITY, null)).toThrow(/model\.logitScale must be a finite number/);
    expect(() => new LogitParameters(1, Number.NaN)).toThrow(/model\.logitBias must be a finite number or null/);
  });

  it('leaves no tensor behind once disposed', () => {
    const before = tf.memory().numTensors;
    const logits = new LogitParameters(Math.log(10), -10);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
