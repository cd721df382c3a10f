import '@tensorflow/tfjs'; // the cpu backend and tfjs's gradients
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { RUN_LOCK_FILE } from './run-lock.js';
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

/** metrics.jsonl without its one timing field, which differs between runs. */
const untimed = (outDir: string) => metricsOf(outDir).map((line) => (line.type === 'train' ? { ...line, samplesPerSecond: 0 } : line));
const weightsOf = (outDir: string) => readFileSync(join(outDir, 'checkpoint', 'model.safetensors'));

describe('trainClip resumes a run whatever a kill left in its folder', () => {
  // Checkpoints and evaluations every 2 steps of 4: the shape of the kill-resume script (scripts/kill-resume.ts).
  const config = configOf({ checkpointEvery: 2, evalEvery: 2 });
  let straight: string;

  beforeAll(async () => {
    straight = runDir();
    await trainClip(config, plugins, { outDir: straight, ...quiet });
  });

  /** A run stopped after 2 steps (a checkpoint, then an evaluation), `damage`d, then resumed to the end. */
  async function resumedAfter(damage: (outDir: string) => void): Promise<string> {
    const outDir = runDir();
    await trainClip(config, plugins, { outDir, maxSteps: 2, ...quiet });
    damage(outDir);
    await trainClip(config, plugins, { outDir, resume: true, ...quiet });
    return outDir;
  }

  it('logs the evaluation of a checkpoint that a kill kept from being logged', async () => {
    const outDir = await resumedAfter((dir) => {
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'eval', afterSteps: 2 });
      writeFileSync(join(dir, 'metrics.jsonl'), `${lines.slice(0, -1).join('\n')}\n`);
    });
    expect(untimed(outDir)).toEqual(untimed(straight));
    expect(weightsOf(outDir).equals(weightsOf(straight))).toBe(true);
  });

  it('drops a torn last line of metrics.jsonl, and removes checkpoint staging folders and temporary files', async () => {
    const outDir = await resumedAfter((dir) => {
      appendFileSync(join(dir, 'metrics.jsonl'), '{"type":"train","step":2,"lo');
      writeFileSync(join(dir, 'metrics.jsonl.99999.tmp'), '{"type":"train"');
      mkdirSync(join(dir, '.checkpoint-staging-99999'));
      writeFileSync(join(dir, '.checkpoint-staging-99999', 'model.safetensors'), 'half');
    });
    expect(untimed(outDir)).toEqual(untimed(straight));
    expect(readdirSync(outDir).sort()).toEqual(['checkpoint', 'metrics.jsonl']);
  });

  it('adds nothing when the run is already finished', async () => {
    const before = readFileSync(join(straight, 'metrics.jsonl'), 'utf8');
    const weights = weightsOf(straight);
    const result = await trainClip(config, plugins, { outDir: straight, resume: true, ...quiet });
    expect(readFileSync(join(straight, 'metrics.jsonl'), 'utf8')).toBe(before);
    expect(weightsOf(straight).equals(weights)).toBe(true);
    expect(result.stepsDone).toBe(4);
    expect(result.evaluation).toEqual(metricsOf(straight).at(-1));
    expect(result.finalLoss).toBe(
      (
        metricsOf(straight)
          .filter((l) => l.type === 'train')
          .at(-1) as TrainMetrics
      ).loss,
    );
  });

  it('keeps sha256 checksums of the checkpoint files that sha256sum checks, and refuses a damaged file', async () => {
    const outDir = runDir();
    await trainClip(config, plugins, { outDir, maxSteps: 2, ...quiet });
    const checkpoint = join(outDir, 'checkpoint');
    const manifest = readFileSync(join(checkpoint, 'checksums.sha256'), 'utf8');
    expect(
      manifest
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.slice(66)),
    ).toEqual(
      readdirSync(checkpoint)
        .filter((n) => n !== 'checksums.sha256')
        .sort(),
    );
    execFileSync('sha256sum', ['--check', '--quiet', 'checksums.sha256'], { cwd: checkpoint });
    const weights = readFileSync(join(checkpoint, 'model.safetensors'));
    weights[weights.length - 1] ^= 1;
    writeFileSync(join(checkpoint, 'model.safetensors'), weights);
    await expect(trainClip(config, plugins, { outDir, resume: true, ...quiet })).rejects.toThrow(
      `${join(checkpoint, 'model.safetensors')} does not match its sha256 in checksums.sha256: the checkpoint in ${checkpoint} is damaged and cannot be resumed; ` +
        `start the run again in a new folder: clipkit train --config ${join(checkpoint, 'clipkit.json')} --out ${outDir}-again`,
    );
  });

  it('says how to start again when the trainer state is unreadable, and that works', async () => {
    const outDir = runDir();
    await trainClip(config, plugins, { outDir, maxSteps: 2, ...quiet });
    // A checkpoint from before checksums: only reading the state finds the damage.
    rmSync(join(outDir, 'checkpoint', 'checksums.sha256'));
    writeFileSync(join(outDir, 'checkpoint', 'trainer-state.json'), '{"step": 2, "posi');
    const checkpoint = join(outDir, 'checkpoint');
    await expect(trainClip(config, plugins, { outDir, resume: true, ...quiet })).rejects.toThrow(
      `; the checkpoint in ${checkpoint} is damaged and cannot be resumed; start the run again in a new folder: ` +
        `clipkit train --config ${join(checkpoint, 'clipkit.json')} --out ${outDir}-again`,
    );
    expect(existsSync(join(outDir, RUN_LOCK_FILE))).toBe(false);
    // What the command does: the run from its start with the checkpoint's config, which is the run's.
    const again = `${outDir}-again`;
    const saved = parseClipConfig(JSON.parse(readFileSync(join(checkpoint, 'clipkit.json'), 'utf8')), plugins);
    await trainClip(saved, plugins, { outDir: again, ...quiet });
    expect(untimed(again)).toEqual(untimed(straight));
  });

  it('refuses a folder another live process is training in, writing nothing there', async () => {
    const outDir = runDir();
    mkdirSync(outDir);
    writeFileSync(join(outDir, RUN_LOCK_FILE), `${process.ppid}\n`);
    await expect(trainClip(config, plugins, { outDir, ...quiet })).rejects.toThrow(`${outDir} is in use by another training run (process ${process.ppid}`);
    expect(readdirSync(outDir)).toEqual([RUN_LOCK_FILE]);
  });
});
