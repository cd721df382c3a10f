import '@tensorflow/tfjs'; // the cpu backend and tfjs's gradients
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClipBatch, ClipDataset, DataPosition, ZeroShotTask } from '../components/dataset.js';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { type AnyClipPlugin, definePlugin } from '../di/plugin.js';
import { DATASET, TRAINABLE_IMAGE_ENCODER } from '../di/slots.js';
import { ClipkitError, ConfigError } from '../errors.js';
import { loadClip } from '../pipelines/load-clip.js';
import { SeededRandom } from '../random/seeded-random.js';
import type { HostTensor } from '../safetensors/dtypes.js';
import { readSafetensors } from '../safetensors/safetensors-file.js';
import { FakeImageTower, type FakeVitConfig, fakePlugins, fakeVitPlugin, fakeVitSchema, TINY_MODEL } from '../testing/fake-plugins.test-support.js';
import { clipStateSource } from '../weights/clip-state-source.js';
import { readZeroShotPrompts } from '../weights/zero-shot-prompts.js';
import { type TrainEvent, trainClip } from './train-clip.js';

const COLOURS = ['red', 'green', 'blue'];

/** Flat-colour images captioned with their colour; batch k comes from (seed, k) alone. */
function colourBatch(seed: number, batch: number, size: number, imageSize: number): ClipBatch {
  const rng = new SeededRandom(seed).fork(`batch ${batch}`);
  const plane = imageSize * imageSize;
  const pixels = new Float32Array(size * 3 * plane);
  const labels = Int32Array.from({ length: size }, () => rng.int(COLOURS.length));
  for (const [i, label] of labels.entries()) pixels.fill(1, (i * 3 + label) * plane, (i * 3 + label + 1) * plane);
  return { pixelValues: pixels, pixelShape: [size, 3, imageSize, imageSize], captions: [...labels].map((l) => `a ${COLOURS[l]} image`), labels };
}

class ColourDataset implements ClipDataset {
  readonly skipped = 0;
  constructor(
    private readonly seed: number,
    private readonly imageSize: number,
  ) {}
  batchesPerEpoch(): null {
    return null;
  }
  async *trainBatches({ batchSize, start }: { batchSize: number; start: DataPosition }) {
    for (let batch = start.batch; ; batch++) yield { batch: colourBatch(this.seed, batch, batchSize, this.imageSize), next: { epoch: 0, batch: batch + 1 } };
  }
  zeroShot(): ZeroShotTask {
    const imageSize = this.imageSize;
    return {
      classNames: COLOURS,
      templates: ['a {} image', 'the colour {}'],
      size: 6,
      async *batches() {
        yield colourBatch(99, 0, 6, imageSize);
      },
    };
  }
  retrieval() {
    return undefined;
  }
  dispose(): void {}
}

/** The gradient depth of tfjs's engine during each image forward: 0 means outside any gradient tape. */
const imageForwardDepths: number[] = [];

/** The fake ViT, recording where its forward runs, with open_clip-style layer groups (conv1, attention, projection). */
class SpyImageTower extends FakeImageTower {
  override forward(pixelValues: tf.Tensor4D): tf.Tensor2D {
    imageForwardDepths.push((tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth);
    return super.forward(pixelValues);
  }
  layerGroups(): string[][] {
    return [['conv1.weight'], ['attn.in_proj_weight', 'attn.in_proj_bias'], ['proj']];
  }
}

const spyVitPlugin = definePlugin({
  slot: TRAINABLE_IMAGE_ENCODER,
  type: 'vit',
  schema: fakeVitSchema,
  formats: fakeVitPlugin.formats,
  create: (section: FakeVitConfig, { config }) => new SpyImageTower(section, config.model.embedDim, config.train.seed),
});
const colourPlugin = definePlugin<ClipDataset>({
  slot: DATASET,
  type: 'colours',
  create: (_section, { config }) => new ColourDataset(config.train.seed, config.model.vision.imageSize),
});
const plugins: AnyClipPlugin[] = [spyVitPlugin, ...fakePlugins.filter((p) => !(p.slot === TRAINABLE_IMAGE_ENCODER && p.type === 'vit')), colourPlugin];
const quiet = { log: () => undefined };
const runDir = () => join(mkdtempSync(join(tmpdir(), 'clipkit-init-')), 'run');

function configOf(train: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): ClipConfig {
  return parseClipConfig({ model: TINY_MODEL, data: { type: 'colours' }, train: { batchSize: 6, steps: 3, warmupSteps: 1, lr: 0.05, logEvery: 1, ...train }, ...extra }, plugins);
}

const weightsOf = async (dir: string) => readSafetensors(join(dir, 'model.safetensors'));
const same = (a: HostTensor | undefined, b: HostTensor | undefined) => Buffer.from((a!.data as Float32Array).buffer).equals(Buffer.from((b!.data as Float32Array).buffer));

/** A checkpoint to start from: 3 steps from seed 1. */
let base: string;

/** The weights source of a trained run, as the clipkit command makes it (loaded, then disposed when read). */
async function initFrom(dir: string) {
  const loaded = await loadClip(dir, plugins, quiet);
  return clipStateSource(loaded.trainable(), dir, () => loaded.dispose());
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  base = (await trainClip(configOf({ seed: 1 }), plugins, { outDir: runDir(), ...quiet })).checkpointDir;
});

describe('trainClip from train.init', () => {
  it('starts from the model: after 0 steps the checkpoint holds its weights bit for bit, its logit scale from the config', async () => {
    const before = tf.memory().numTensors;
    const config = configOf({ init: base, seed: 2 }, { model: { ...TINY_MODEL, logitScale: Math.log(30) } });
    const result = await trainClip(config, plugins, { outDir: runDir(), maxSteps: 0, init: await initFrom(base), ...quiet });
    expect(tf.memory().numTensors).toBe(before);
    const [from, to] = [await weightsOf(base), await weightsOf(result.checkpointDir)];
    for (const name of from.keys()) if (name !== 'logit_scale') expect(same(to.get(name), from.get(name)), name).toBe(true);
    expect((to.get('logit_scale')!.data as Float32Array)[0]).toBeCloseTo(Math.log(30), 6);
  });

  it('re-initialises the reinit tower from the seed and takes the other from the model', async () => {
    const fresh = await trainClip(configOf({ seed: 2 }), plugins, { outDir: runDir(), maxSteps: 0, ...quiet });
    const result = await trainClip(configOf({ init: base, reinit: 'text', seed: 2 }), plugins, { outDir: runDir(), maxSteps: 0, init: await initFrom(base), ...quiet });
    const [model, seed, got] = [await weightsOf(base), await weightsOf(fresh.checkpointDir), await weightsOf(result.checkpointDir)];
    for (const name of got.keys()) {
      if (name.startsWith('logit')) continue;
      expect(same(got.get(name), name.startsWith('visual.') ? model.get(name) : seed.get(name)), name).toBe(true);
    }
  });

  it('keeps a locked image tower bit-identical, with no optimiser state, its forward outside the gradient tape', async () => {
    const events: TrainEvent[] = [];
    imageForwardDepths.length = 0;
    const result = await trainClip(configOf({ init: base, lock: { image: {} } }), plugins, {
      outDir: runDir(),
      init: await initFrom(base),
      onEvent: (e) => events.push(e),
      ...quiet,
    });
    const [from, to] = [await weightsOf(base), await weightsOf(result.checkpointDir)];
    const visual = [...from.keys()].filter((n) => n.startsWith('visual.'));
    for (const name of visual) expect(same(to.get(name), from.get(name)), name).toBe(true);
    expect(same(to.get('text_projection'), from.get('text_projection'))).toBe(false);
    const moments = await readSafetensors(join(result.checkpointDir, 'optimizer.safetensors'));
    expect([...moments.keys()].filter((n) => n.includes('visual.'))).toEqual([]);
    expect([...moments.keys()]).toContain('exp_avg.text_projection');
    // 3 steps, each image forward before the tape; the evaluation encodes outside any tape too.
    expect(imageForwardDepths.length).toBeGreaterThanOrEqual(3);
    expect(imageForwardDepths.every((depth) => depth === 0)).toBe(true);
    const start = events.find((e) => e.type === 'start') as Extract<TrainEvent, { type: 'start' }>;
    expect(start.lockedParameters).toBe(visual.reduce((n, name) => n + from.get(name)!.data.length, 0));
  });

  it('locks all but the last layer groups: the unlocked projection trains, the rest stays bit-identical', async () => {
    imageForwardDepths.length = 0;
    const result = await trainClip(configOf({ init: base, lock: { image: { unlockedGroups: 1 } } }), plugins, { outDir: runDir(), init: await initFrom(base), ...quiet });
    const [from, to] = [await weightsOf(base), await weightsOf(result.checkpointDir)];
    for (const name of ['visual.conv1.weight', 'visual.attn.in_proj_weight', 'visual.attn.in_proj_bias']) expect(same(to.get(name), from.get(name)), name).toBe(true);
    expect(same(to.get('visual.proj'), from.get('visual.proj'))).toBe(false);
    const moments = await readSafetensors(join(result.checkpointDir, 'optimizer.safetensors'));
    expect([...moments.keys()].filter((n) => n.includes('visual.')).sort()).toEqual(['exp_avg.visual.proj', 'exp_avg_sq.visual.proj']);
    // A partly trainable tower runs on the tape.
    expect(imageForwardDepths.slice(0, 3).every((depth) => depth > 0)).toBe(true);
  });

  it('resumes a locked run exactly: 1 step, then 2 more, give the weights of 3 in one go', async () => {
    const config = configOf({ init: base, lock: { image: { unlockedGroups: 1 } } });
    const straight = runDir();
    await trainClip(config, plugins, { outDir: straight, init: await initFrom(base), ...quiet });
    const resumed = runDir();
    await trainClip(config, plugins, { outDir: resumed, maxSteps: 1, init: await initFrom(base), ...quiet });
    await trainClip(config, plugins, { outDir: resumed, resume: true, ...quiet });
    const [a, b] = [await weightsOf(join(straight, 'checkpoint')), await weightsOf(join(resumed, 'checkpoint'))];
    for (const name of a.keys()) expect(same(b.get(name), a.get(name)), name).toBe(true);
  });

  it('needs the weights train.init names, and refuses weights the config does not name', async () => {
    await expect(trainClip(configOf({ init: base }), plugins, { outDir: runDir(), ...quiet })).rejects.toThrow(/train.init is ".*", but its weights were not given/);
    let closed = false;
    const source = await initFrom(base);
    const counted = {
      ...source,
      close: async () => {
        closed = true;
        await source.close();
      },
    };
    await expect(trainClip(configOf(), plugins, { outDir: runDir(), init: counted, ...quiet })).rejects.toThrow(ClipkitError);
    expect(closed).toBe(true);
  });

  it('refuses to lock part of a tower that declares no layer groups, naming the field', async () => {
    const withoutGroups = [...fakePlugins, colourPlugin];
    const config = parseClipConfig(
      { model: TINY_MODEL, data: { type: 'colours' }, train: { steps: 1, batchSize: 6, init: base, lock: { image: { unlockedGroups: 1 } } } },
      withoutGroups,
    );
    const run = trainClip(config, withoutGroups, { outDir: runDir(), init: await initFrom(base), ...quiet });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/train.lock.image.unlockedGroups: must be 0: this tower does not declare layer groups/);
  });
});

describe('trainClip checkpoints', () => {
  it('record the image transform as preprocessor_config.json and in clipkit.json, and the zero-shot prompts', async () => {
    const preprocess = { resizeMode: 'squash', size: 12, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const result = await trainClip(configOf({ steps: 1, exportLayout: 'open_clip' }, { preprocess }), plugins, { outDir: runDir(), ...quiet });
    const dir = result.checkpointDir;
    expect(JSON.parse(readFileSync(join(dir, 'clipkit.json'), 'utf8')).preprocess).toEqual(preprocess);
    expect(JSON.parse(readFileSync(join(dir, 'preprocessor_config.json'), 'utf8'))).toMatchObject({
      image_processor_type: 'CLIPImageProcessor',
      size: { height: 12, width: 12 },
      crop_size: { height: 16, width: 16 },
      image_mean: [0.5, 0.5, 0.5],
    });
    expect(readZeroShotPrompts(dir)).toEqual({ classNames: COLOURS, templates: ['a {} image', 'the colour {}'] });
    // train.exportLayout: the final model also in open_clip's layout, with the same transform and prompts.
    expect(result.exportDir).toBe(join(dir, '..', 'open_clip'));
    expect(existsSync(join(result.exportDir!, 'open_clip_config.json'))).toBe(true);
    expect(readZeroShotPrompts(result.exportDir!)).toEqual(readZeroShotPrompts(dir));
    const exported = await loadClip(result.exportDir!, plugins, quiet);
    expect(exported.config.preprocess).toEqual(preprocess);
    await exported.dispose();
  });

  it("record the dataset's own transform when the config has none (CLIP's at the model size for a dataset that says nothing)", async () => {
    const result = await trainClip(configOf({ steps: 2 }), plugins, { outDir: runDir(), maxSteps: 1, ...quiet });
    const saved = JSON.parse(readFileSync(join(result.checkpointDir, 'clipkit.json'), 'utf8'));
    expect(saved.preprocess).toEqual({ resizeMode: 'shortest', size: 16, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] });
    // Resuming with the config as written (preprocess null) continues the same run, as does one whose checkpoint
    // was written before the transform was recorded.
    const file = join(result.checkpointDir, 'clipkit.json');
    const { preprocess: _, ...older } = saved;
    writeFileSync(file, JSON.stringify(older));
    // Nor had checkpoints a checksums manifest then.
    rmSync(join(result.checkpointDir, 'checksums.sha256'));
    await expect(trainClip(configOf({ steps: 2 }), plugins, { outDir: join(result.checkpointDir, '..'), resume: true, ...quiet })).resolves.toMatchObject({ stepsDone: 2 });
  });
});
