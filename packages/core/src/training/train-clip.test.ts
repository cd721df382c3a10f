import '@tensorflow/tfjs'; // the cpu backend and tfjs's gradients
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClipBatch, ClipDataset, DataPosition, ZeroShotTask } from '../components/dataset.js';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { type AnyClipPlugin, definePlugin } from '../di/plugin.js';
import { DATASET } from '../di/slots.js';
import { ClipkitError } from '../errors.js';
import { loadClip } from '../pipelines/load-clip.js';
import { SeededRandom } from '../random/seeded-random.js';
import { readSafetensors } from '../safetensors/safetensors-file.js';
import { fakePlugins, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import type { MetricsLine, TrainMetrics } from './metrics-log.js';
import { trainClip } from './train-clip.js';

const COLOURS = ['red', 'green', 'blue'];

/** Images of one flat colour, captioned with its name: batch k of an epoch comes from (seed, epoch, k) alone. */
function colourBatch(seed: number, position: DataPosition, size: number, imageSize: number): ClipBatch {
  const rng = new SeededRandom(seed).fork(`${position.epoch}/${position.batch}`);
  const pixels = new Float32Array(size * 3 * imageSize * imageSize);
  const labels = Int32Array.from({ length: size }, () => rng.int(COLOURS.length));
  const plane = imageSize * imageSize;
  for (const [i, label] of labels.entries()) pixels.fill(1, (i * 3 + label) * plane, (i * 3 + label + 1) * plane);
  return { pixelValues: pixels, pixelShape: [size, 3, imageSize, imageSize], captions: [...labels].map((l) => `a ${COLOURS[l]} image`), labels };
}

class ColourDataset implements ClipDataset {
  readonly skipped = 0;
  constructor(
    private readonly seed: number,
    private readonly imageSize: number,
  ) {}
  batchesPerEpoch(): number | null {
    return null;
  }
  async *trainBatches({ batchSize, start }: { batchSize: number; start: DataPosition }) {
    for (let batch = start.batch; ; batch++) yield { batch: colourBatch(this.seed, { epoch: 0, batch }, batchSize, this.imageSize), next: { epoch: 0, batch: batch + 1 } };
  }
  zeroShot(): ZeroShotTask {
    const imageSize = this.imageSize;
    return {
      classNames: COLOURS,
      templates: ['a {} image'],
      size: 6,
      async *batches() {
        yield colourBatch(99, { epoch: 1, batch: 0 }, 6, imageSize);
      },
    };
  }
  retrieval() {
    return undefined;
  }
  dispose(): void {}
}

const colourPlugin = definePlugin<ClipDataset>({
  slot: DATASET,
  type: 'colours',
  create: (_section, { config }) => new ColourDataset(config.train.seed, config.model.vision.imageSize),
});
const plugins: AnyClipPlugin[] = [...fakePlugins, colourPlugin];
const quiet = { log: () => undefined };
const runDir = () => join(mkdtempSync(join(tmpdir(), 'clipkit-train-')), 'run');

function configOf(overrides: Record<string, unknown> = {}, model: Record<string, unknown> = {}): ClipConfig {
  return parseClipConfig(
    {
      model: { ...TINY_MODEL, ...model },
      data: { type: 'colours' },
      train: { batchSize: 6, steps: 4, warmupSteps: 1, lr: 0.05, logEvery: 1, ...overrides },
      ...(model.logitBias === undefined ? {} : { loss: { type: 'siglip' } }),
    },
    plugins,
  );
}

function metricsOf(outDir: string): MetricsLine[] {
  return readFileSync(join(outDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainClip', () => {
  it("trains the model's logit scale and bias with the towers, clamps the scale, and checkpoints them all", async () => {
    const outDir = runDir();
    const config = configOf({ maxLogitScale: Math.log(11) }, { logitScale: Math.log(10), logitBias: -10 });
    const before = tf.memory().numTensors;
    const result = await trainClip(config, plugins, { outDir, ...quiet });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.stepsDone).toBe(4);
    const steps = metricsOf(outDir).filter((line): line is TrainMetrics => line.type === 'train');
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    // lr 0.05 moves t by about 0.05 a step, up from ln 10: past ln 11 by the second step, where the clamp holds it.
    expect(steps[0].logitScale).toBeGreaterThan(10.1);
    expect(steps[0].logitScale).toBeLessThan(11);
    for (const s of steps.slice(1)) expect(Math.abs(s.logitScale / 11 - 1)).toBeLessThan(1e-6);
    expect(steps.at(-1)!.logitBias).not.toBe(-10);
    expect(result.evaluation?.zeroShot?.count).toBe(6);

    const stored = await readSafetensors(join(result.checkpointDir, 'model.safetensors'));
    expect(Math.exp((stored.get('logit_scale')!.data as Float32Array)[0])).toBeCloseTo(steps.at(-1)!.logitScale, 5);
    expect((stored.get('logit_bias')!.data as Float32Array)[0]).toBeCloseTo(steps.at(-1)!.logitBias!, 5);
    // The checkpoint is a model directory: loadClip reads the trained parameters back.
    const loaded = await loadClip(result.checkpointDir, plugins, quiet);
    expect(loaded.model.logitScale).toBeCloseTo(steps.at(-1)!.logitScale, 5);
    expect(loaded.model.logitBias).toBeCloseTo(steps.at(-1)!.logitBias!, 5);
    await loaded.dispose();
  });

  it('resumes exactly: 2 steps, then 2 more from the checkpoint, give the weights of 4 in one go', async () => {
    const config = configOf({}, { logitScale: Math.log(10), logitBias: -10 });
    const straight = runDir();
    await trainClip(config, plugins, { outDir: straight, ...quiet });
    const resumed = runDir();
    await trainClip(config, plugins, { outDir: resumed, maxSteps: 2, ...quiet });
    await trainClip(config, plugins, { outDir: resumed, resume: true, ...quiet });
    const a = await readSafetensors(join(straight, 'checkpoint', 'model.safetensors'));
    const b = await readSafetensors(join(resumed, 'checkpoint', 'model.safetensors'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, t] of a) expect(Array.from(b.get(name)!.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
    expect(metricsOf(resumed).filter((l) => l.type === 'train')).toHaveLength(4);
  });

  it('refuses a loss that needs a bias the model does not have, and a runtime that cannot train', async () => {
    const noBias = parseClipConfig({ model: TINY_MODEL, loss: { type: 'siglip' }, data: { type: 'colours' }, train: { steps: 1 } }, plugins);
    await expect(trainClip(noBias, plugins, { outDir: runDir(), ...quiet })).rejects.toThrow(
      'loss.type "siglip" needs a logit bias, but model.logitBias is null: set it (SigLIP starts at -10, with model.logitScale ln 10 = 2.302585)',
    );
    const onnx = parseClipConfig({ model: TINY_MODEL, backend: { type: 'onnxruntime' }, data: { type: 'colours' } }, plugins);
    await expect(trainClip(onnx, plugins, { outDir: runDir(), ...quiet })).rejects.toThrow(ClipkitError);
    await expect(trainClip(onnx, plugins, { outDir: runDir(), ...quiet })).rejects.toThrow(/runs inference only; train with backend\.type "tfjs"/);
  });
});
