import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClip, readSafetensors, readZeroShotPrompts } from '@clipkit/core';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_TEMPLATES,
  FashionMnistDataset,
  inThreadShapeRenderer,
  loadFashionMnist,
  SyntheticShapesDataset,
  shapeStreams,
} from '@clipkit/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { defaultPlugins } from 'clipkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

// Fine-tuning through the clipkit command, on tiny models trained for a step or two: what a checkpoint records
// (the image transform, the prompts) and that image files are then served exactly as the built-in evaluation
// sees its data; train.init, reinit and lock; eval --images and probe on labelled folders.
const cli = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'clipkit-finetune-'));
const run = (...args: string[]) => spawnSync('node', [cli, ...args], { encoding: 'utf8' });
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
/** Test images written as PNG files: the first 200 of the 10,000 (about 20 per class). */
const FILES = 200;
const quiet = { log: () => undefined };

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A ResNet CLIP small enough to train a step on Fashion-MNIST in seconds. */
const TINY_RESNET = {
  embedDim: 16,
  vision: { type: 'resnet', imageSize: 32, layers: [1, 1, 1, 1], width: 8, heads: 4 },
  text: { type: 'transformer', contextLength: 16, width: 16, heads: 2, layers: 1 },
};

function trained(name: string, config: Record<string, unknown>): string {
  const out = join(dir, name);
  const result = run('train', '--config', writeJson(`${name}.json`, config), '--out', out);
  expect(result.status, result.stderr).toBe(0);
  return join(out, 'checkpoint');
}

/** Writes images [28 x 28 grey] of the Fashion-MNIST test split as DIR/<class>/<index>.png. */
async function writeFashionMnistPngs(folder: string, count: number): Promise<void> {
  const { test } = loadFashionMnist(FASHION_MNIST);
  for (const name of FASHION_MNIST_CLASSES) mkdirSync(join(folder, name), { recursive: true });
  for (let i = 0; i < count; i++) {
    const grey = Buffer.from(test.images.subarray(i * 784, (i + 1) * 784));
    await sharp(grey, { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(join(folder, FASHION_MNIST_CLASSES[test.labels[i]], `${String(i).padStart(4, '0')}.png`));
  }
}

let fashionModel: string;
const pngs = join(dir, 'fashion-png');

beforeAll(async () => {
  fashionModel = trained('fashion', {
    model: TINY_RESNET,
    data: { type: 'fashion-mnist', path: FASHION_MNIST },
    train: { batchSize: 32, steps: 1, warmupSteps: 1 },
  });
  await writeFashionMnistPngs(pngs, FILES);
}, 600_000);

/** The built-in evaluation's best class for each of the first `count` test images, as zeroShotAccuracy computes it. */
async function builtInPredictions(model: string, count: number): Promise<number[]> {
  const plugins = await defaultPlugins();
  const loaded = await loadClip(model, plugins, quiet);
  const task = new FashionMnistDataset(loadFashionMnist(FASHION_MNIST), 0, { preprocess: loaded.config.preprocess! }).zeroShot();
  const { value: batch } = await task.batches(count)[Symbol.asyncIterator]().next();
  const classifier = await loaded.model.zeroShotClassifier(loaded.tokenizer, task.classNames, task.templates);
  const pixels = tf.tensor4d(batch!.pixelValues, batch!.pixelShape);
  const probabilities = await loaded.model.classify(pixels, classifier);
  const best = Array.from(tf.tidy(() => tf.argMax(probabilities, 1)).dataSync());
  tf.dispose([pixels, classifier, probabilities]);
  await loaded.dispose();
  return best;
}

describe('a checkpoint records how its data was preprocessed and prompted', () => {
  it("writes the Fashion-MNIST transform (pad 28 to 32, its mean and std) as transformers' preprocessor_config.json, and the task's prompts", () => {
    expect(JSON.parse(readFileSync(join(fashionModel, 'preprocessor_config.json'), 'utf8'))).toEqual({
      image_processor_type: 'CLIPImageProcessor',
      do_resize: true,
      size: { shortest_edge: 28 },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: 32, width: 32 },
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: [0.286, 0.286, 0.286],
      image_std: [0.353, 0.353, 0.353],
      do_convert_rgb: true,
    });
    expect(JSON.parse(readFileSync(join(fashionModel, 'clipkit.json'), 'utf8')).preprocess).toEqual({
      resizeMode: 'shortest',
      size: 28,
      mean: [0.286, 0.286, 0.286],
      std: [0.353, 0.353, 0.353],
    });
    expect(readZeroShotPrompts(fashionModel)).toEqual({ classNames: FASHION_MNIST_CLASSES, templates: FASHION_MNIST_TEMPLATES });
  });

  it('classifies its own test images given as PNG files exactly as the built-in evaluation does (zero-shot and eval --images)', async () => {
    const expected = await builtInPredictions(fashionModel, FILES);
    const { test } = loadFashionMnist(FASHION_MNIST);
    // No --labels, no --templates: the classes and prompts the model carries.
    const zeroShot = run('zero-shot', '--model', fashionModel, '--json', '--top', '1', pngs);
    expect(zeroShot.status, zeroShot.stderr).toBe(0);
    const results = JSON.parse(zeroShot.stdout) as { image: string; predictions: { label: string }[] }[];
    expect(results).toHaveLength(FILES);
    for (const { image, predictions } of results) {
      const index = Number(image.slice(-8, -4));
      expect(predictions[0].label, image).toBe(FASHION_MNIST_CLASSES[expected[index]]);
    }
    const confusion = join(dir, 'confusion.svg');
    const evaluated = run('eval', '--model', fashionModel, '--images', pngs, '--confusion', confusion, '--json');
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    const right = expected.filter((best, i) => best === test.labels[i]).length;
    expect(report.zeroShot.count).toBe(FILES);
    expect(report.zeroShot.top1).toBe(right / FILES);
    expect(report.perClass.reduce((n: number, c: { images: number }) => n + c.images, 0)).toBe(FILES);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(FILES);
    expect(readFileSync(confusion, 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*ankle boot/);
  });

  it("classifies a shapes model's held-out images given as PNG files exactly as its built-in evaluation does", async () => {
    const model = trained('shapes', {
      model: {
        embedDim: 16,
        vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 32, layers: 1 },
        text: { type: 'transformer', contextLength: 16, width: 16, heads: 2, layers: 1 },
      },
      data: { type: 'synthetic-shapes', imageSize: 32, evalSize: 42 },
      train: { batchSize: 16, steps: 2, warmupSteps: 1 },
    });
    const builtIn = run('eval', '--model', model, '--json');
    expect(builtIn.status, builtIn.stderr).toBe(0);
    // The held-out images as files: CLIP's transform at 32 px only normalised them, so the bytes come back exactly.
    const plugins = await defaultPlugins();
    const loaded = await loadClip(model, plugins, quiet);
    const task = new SyntheticShapesDataset(inThreadShapeRenderer(shapeStreams(32, 0, 0), loaded.config.preprocess!), 42).zeroShot();
    const folder = join(dir, 'shapes-png');
    const [mean, std] = [loaded.config.preprocess!.mean, loaded.config.preprocess!.std];
    await loaded.dispose();
    for await (const batch of task.batches(42)) {
      for (let n = 0; n < batch.pixelShape[0]; n++) {
        const bytes = Buffer.alloc(32 * 32 * 3);
        for (let i = 0; i < 32 * 32; i++) {
          for (let c = 0; c < 3; c++) bytes[i * 3 + c] = Math.round((batch.pixelValues[n * 3072 + c * 1024 + i] * std[c] + mean[c]) * 255);
        }
        const name = task.classNames[batch.labels![n]];
        mkdirSync(join(folder, name), { recursive: true });
        await sharp(bytes, { raw: { width: 32, height: 32, channels: 3 } })
          .png()
          .toFile(join(folder, name, `${n}.png`));
      }
    }
    const fromFiles = run('eval', '--model', model, '--images', folder, '--confusion', join(dir, 'shapes.svg'), '--json');
    expect(fromFiles.status, fromFiles.stderr).toBe(0);
    expect(JSON.parse(fromFiles.stdout).zeroShot).toEqual(JSON.parse(builtIn.stdout).zeroShot);
  });
});

describe('train.init, reinit and lock through the clipkit command', () => {
  it('starts LiT from a checkpoint: no model section, the image tower locked bit-identical, a new text tower', async () => {
    const out = join(dir, 'lit');
    const config = writeJson('lit.json', {
      data: { type: 'fashion-mnist', path: FASHION_MNIST },
      train: { init: fashionModel, reinit: 'text', lock: { image: { freezeBatchNormStats: true } }, batchSize: 32, steps: 2, warmupSteps: 1 },
    });
    const result = run('train', '--config', config, '--out', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/parameters \([\d,]+ more locked\)/);
    const saved = JSON.parse(readFileSync(join(out, 'checkpoint', 'clipkit.json'), 'utf8'));
    const initial = JSON.parse(readFileSync(join(fashionModel, 'clipkit.json'), 'utf8'));
    // The model section, tokenizer and preprocessing came from the model; train.init is recorded.
    expect(saved.model.vision).toEqual(initial.model.vision);
    expect(saved.model.text).toEqual(initial.model.text);
    expect(saved.preprocess).toEqual(initial.preprocess);
    expect(saved.train.init).toBe(fashionModel);
    const [before, after] = [await readSafetensors(join(fashionModel, 'model.safetensors')), await readSafetensors(join(out, 'checkpoint', 'model.safetensors'))];
    // Frozen BatchNorm statistics: the running means and variances stay too.
    for (const [name, t] of before) {
      if (!name.startsWith('visual.')) continue;
      expect(Buffer.from((after.get(name)!.data as Float32Array).buffer).equals(Buffer.from((t.data as Float32Array).buffer)), name).toBe(true);
    }
    expect(after.get('text_projection')!.data).not.toEqual(before.get('text_projection')!.data);
  });

  it('continues training from a checkpoint, its logit scale restarted where the config says so', () => {
    const out = join(dir, 'continued');
    const config = writeJson('continue.json', {
      model: { logitScale: Math.log(20) },
      data: { type: 'fashion-mnist', path: FASHION_MNIST },
      train: { init: fashionModel, batchSize: 32, steps: 1, warmupSteps: 1, lr: 1e-9 },
    });
    const result = run('train', '--config', config, '--out', out);
    expect(result.status, result.stderr).toBe(0);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // lr 1e-9 leaves the scale where the config put it.
    expect(metrics[0].logitScale).toBeCloseTo(20, 4);
  });
});

describe('clipkit probe', () => {
  it("fits the CLIP paper's linear probe on a model's features of labelled folders and scores the test folder", () => {
    const result = run('probe', '--model', fashionModel, '--train', pngs, '--test', pngs, '--val-fraction', '0.25', '--max-iterations', '200', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect([report.classes, report.train, report.validation, report.test]).toEqual([10, 150, 50, 200]);
    expect(report.sweep.length).toBeGreaterThanOrEqual(7);
    expect(report.sweep.length).toBeLessThanOrEqual(15);
    // C is on the grid of 8 steps per decade between 10^-6 and 10^6.
    const steps = Math.log10(report.c) * 8;
    expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-9);
    // Scored on its own training images: far above chance (10%) even for a model trained one step.
    expect(report.testAccuracy).toBeGreaterThan(0.3);
  });
});
