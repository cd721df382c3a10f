import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnyClipPlugin,
  type ClipConfig,
  type ContrastiveLoss,
  definePlugin,
  LOSS,
  MetricsLog,
  NonFiniteLossError,
  parseClipConfig,
  type TrainMetrics,
  trainClip,
} from '@clipkit/core';
import { type ClipLossConfig, clipLossPlugin } from '@clipkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import { defaultPlugins } from 'clipkit';
import { beforeAll, describe, expect, it } from 'vitest';

let plugins: AnyClipPlugin[];
const quiet = { log: () => undefined };

beforeAll(async () => {
  plugins = await defaultPlugins();
});

/** A model small enough to train for dozens of steps in seconds. */
function tinyConfig(train: Partial<ClipConfig['train']> = {}): ClipConfig {
  return parseClipConfig(
    {
      model: {
        embedDim: 64,
        vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 32, layers: 1, heads: 1 },
        text: { type: 'transformer', contextLength: 16, width: 32, heads: 2, layers: 1 },
      },
      backend: { type: 'tfjs', device: 'wasm' },
      data: { type: 'synthetic-shapes', imageSize: 32, evalSize: 64 },
      train: { batchSize: 16, steps: 60, lr: 3e-3, warmupSteps: 5, logEvery: 1, ...train },
    },
    plugins,
  );
}

const runDir = () => mkdtempSync(join(tmpdir(), 'clipkit-train-'));
const losses = (dir: string) => new MetricsLog(join(dir, 'metrics.jsonl')).read().flatMap((l) => (l.type === 'train' ? [l as TrainMetrics] : []));

describe('training', () => {
  it('lowers the loss of a tiny model within a few dozen steps, and leaks no tensors', async () => {
    const dir = runDir();
    const before = tf.memory().numTensors;
    const result = await trainClip(tinyConfig(), plugins, { outDir: dir, ...quiet });
    const lines = losses(dir);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const mean = (ls: TrainMetrics[]) => ls.reduce((s, l) => s + l.loss, 0) / ls.length;
    // CLIP's loss starts near ln(batch) = ln 16 = 2.77; learning must bring the last 10 steps well below the first 10.
    expect(mean(lines.slice(0, 10))).toBeGreaterThan(2.6);
    expect(mean(lines.slice(-10))).toBeLessThan(mean(lines.slice(0, 10)) - 0.2);
    expect(result.evaluation?.zeroShot?.count).toBe(64);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues a stopped run exactly: N steps + resume + N steps equals 2N steps straight (within 1e-5)', async () => {
    const config = tinyConfig({ steps: 12, checkpointEvery: 6 });
    const straight = runDir();
    await trainClip(config, plugins, { outDir: straight, ...quiet });
    const interrupted = runDir();
    await trainClip(config, plugins, { outDir: interrupted, maxSteps: 6, ...quiet });
    await expect(trainClip(config, plugins, { outDir: interrupted, ...quiet })).rejects.toThrow(/already holds a run.*--resume/);
    await trainClip(config, plugins, { outDir: interrupted, resume: true, ...quiet });
    const a = losses(straight);
    const b = losses(interrupted);
    expect(b.map((l) => l.step)).toEqual(a.map((l) => l.step));
    for (const [i, line] of b.entries()) expect(Math.abs(line.loss - a[i].loss), `step ${line.step}`).toBeLessThan(1e-5);
    expect(Math.abs(b[11].logitScale - a[11].logitScale)).toBeLessThan(1e-5);
  });

  it('refuses to resume a run with another config', async () => {
    const dir = runDir();
    await trainClip(tinyConfig({ steps: 2 }), plugins, { outDir: dir, ...quiet });
    await expect(trainClip(tinyConfig({ steps: 2, lr: 1e-4 }), plugins, { outDir: dir, resume: true, ...quiet })).rejects.toThrow(/different config \(train differ\)/);
  });

  it('stops on a non-finite loss before applying it, keeping the last good checkpoint', async () => {
    // The real CLIP loss, turned NaN from the 5th call on.
    let calls = 0;
    const poisoned = definePlugin<ContrastiveLoss, ClipLossConfig>({
      ...clipLossPlugin,
      create: (section, context) => {
        const loss = clipLossPlugin.create(section, context);
        const compute = loss.compute.bind(loss);
        loss.compute = (...args) => (++calls >= 5 ? tf.tidy(() => tf.mul(compute(...args), NaN) as tf.Scalar) : compute(...args));
        return loss;
      },
    });
    const dir = runDir();
    const config = tinyConfig({ steps: 10, checkpointEvery: 2 });
    const run = trainClip(config, [...plugins.filter((p) => p.slot !== LOSS), poisoned], { outDir: dir, ...quiet });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(run).rejects.toThrow(/the loss is NaN at step 4 .*The last good checkpoint is .*checkpoint\. Lower train\.lr/s);
    expect(existsSync(join(dir, 'checkpoint', 'model.safetensors'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('.checkpoint'))).toEqual([]);
    expect(losses(dir).map((l) => l.step)).toEqual([0, 1, 2, 3]);
  });
});
