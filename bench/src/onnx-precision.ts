import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CalibrationBatch,
  type ExportPrecision,
  exportOnnxModel,
  OnnxImageEncoder,
  OnnxTextEncoder,
  sessionOptions,
  towerOnnxModel,
  withExportPrecision,
  writeOnnxModel,
} from '@clipkit/backend-onnxruntime';
import { initTfjs } from '@clipkit/backend-tfjs';
import {
  type AnyClipPlugin,
  assembleClip,
  ClipkitError,
  type ImageEncoder,
  type Module,
  parseClipConfig,
  SeededRandom,
  type TextEncoder,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
} from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { defaultPlugins } from 'clipkit';
import type { Benchmark } from './benchmarks.js';
import { OPEN_CLIP_SHAPES } from './open-clip-shapes.js';
import { runPytorchAnchor } from './pytorch-anchor.js';
import { interleavedItemsPerSecond, itemsPerSecond, randomIds } from './tower-timing.js';

/**
 * float32, int8 and float16 exports (and RN50's int8 with static int8 convolutions) of random towers with open_clip's ViT-B-32 and RN50 shapes, in
 * onnxruntime-node: items/s at each batch, file size, and the cosine of each embedding to float32's (over the
 * largest batch's random inputs; random weights, so the trained model's figures may differ). When
 * ../shared/anchors is set up (bash ../shared/anchors/setup.sh), PyTorch's figure for the same tower at batch
 * 16 is measured in the same run, right after clipkit's. `--torch-text DIR` (bench/scripts/torch-onnx-text.py's
 * output) adds clipkit's text tower against torch.onnx's on the same weights, at 77 tokens.
 */

const PRECISIONS: Readonly<Record<string, ExportPrecision>> = { float32: {}, int8: { quantize: 'int8' }, float16: { dtype: 'float16' } };
/** RN50's static int8 variant calibrates its convolutions on this many random N(0, 1) images (the tower is random too), in batches of 2. */
const CALIBRATION_IMAGES = 8;
/** PyTorch anchors are measured at this batch (../shared/anchors/README.md). */
const ANCHOR_BATCH = 16;

interface Options {
  batches: number[];
  iterations: number;
  threads: number;
  pytorch: boolean;
  torchText: string | undefined;
}

function parseArgs(args: string[]): Options {
  const options: Options = { batches: [1, ANCHOR_BATCH], iterations: 3, threads: 2, pytorch: true, torchText: undefined };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--no-pytorch') options.pytorch = false;
    else if (flag === '--batches' && /^\d+(,\d+)*$/.test(value ?? '') && ++i) options.batches = value.split(',').map(Number);
    else if (flag === '--iterations' && Number(value) >= 1 && ++i) options.iterations = Number(value);
    else if (flag === '--threads' && Number(value) >= 1 && ++i) options.threads = Number(value);
    else if (flag === '--torch-text' && value && existsSync(join(value, 'text.onnx')) && ++i) options.torchText = value;
    else throw new ClipkitError(`onnx-precision: unknown argument "${flag}"; use --batches 1,16, --iterations N, --threads N, --no-pytorch, --torch-text DIR`);
  }
  return options;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** A tfjs tower's weights as host arrays, by its state-dict names (what the exporter reads from a model file). */
function hostWeights(module: Module): Map<string, Float32Array> {
  return new Map([...module.stateDict()].map(([name, variable]) => [name, variable.dataSync() as Float32Array]));
}

/** Cosine of each row [dim] of `a` to the same row of `b`: min and mean. */
function cosines(a: Float32Array, b: Float32Array, dim: number): { min: number; mean: number } {
  const all: number[] = [];
  for (let row = 0; row < a.length / dim; row++) {
    let [ab, aa, bb] = [0, 0, 0];
    for (let i = row * dim; i < (row + 1) * dim; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
    all.push(ab / Math.sqrt(aa * bb));
  }
  return { min: Math.min(...all), mean: all.reduce((s, c) => s + c, 0) / all.length };
}

/** PyTorch's items/s for an anchor (`infer vitb32-image` ...), or why there is none. */
function pytorchAnchor(anchor: string, options: Options): string {
  if (!options.pytorch) return 'PyTorch: not measured (--no-pytorch)';
  const result = runPytorchAnchor(['infer', anchor, '--batch', String(ANCHOR_BATCH), '--threads', String(options.threads), '--reps', String(options.iterations)]);
  if (typeof result === 'string') return `PyTorch ${anchor}: not measured (${result})`;
  return `PyTorch ${anchor} batch ${ANCHOR_BATCH}: ${result.items_per_s.toFixed(2)}/s (${result.blas}, load ${result.load_before} -> ${result.load_after})`;
}

interface TowerCase {
  name: string;
  anchor: string;
  /** Inputs of each batch size (disposed by the caller). */
  input(rng: SeededRandom, batch: number): tf.Tensor;
  encoder(path: string): ImageEncoder | TextEncoder;
}

async function measureTower(
  weights: Map<string, Float32Array>,
  tower: 'image' | 'text',
  config: ReturnType<typeof parseClipConfig>,
  plugins: readonly AnyClipPlugin[],
  cases: TowerCase[],
  options: Options,
  precisions: Readonly<Record<string, ExportPrecision>> = PRECISIONS,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-bench-precision-'));
  try {
    const float32 = towerOnnxModel(config.model, tower, plugins, weights);
    const files: [string, string][] = [];
    for (const [precision, settings] of Object.entries(precisions)) {
      const path = join(dir, `${precision}.onnx`);
      await writeOnnxModel(path, await withExportPrecision(float32, settings));
      files.push([precision, path]);
    }
    const largest = Math.max(...options.batches);
    for (const c of cases) {
      console.log(`${c.name} (load ${load()})`);
      let reference: Float32Array | undefined;
      let f32Rates: number[] = [];
      for (const [precision, path] of files) {
        const encoder = c.encoder(path);
        const rates: number[] = [];
        let accuracy = '';
        for (const batch of options.batches) {
          const input = c.input(new SeededRandom(batch), batch);
          rates.push(await itemsPerSecond(() => encoder.encode(input as never), batch, options.iterations));
          if (batch === largest) {
            const out = await encoder.encode(input as never);
            const data = (await out.data()) as Float32Array;
            reference ??= data;
            const { min, mean } = cosines(data, reference, out.shape[1]);
            accuracy = `cosine to float32 min ${min.toFixed(5)} mean ${mean.toFixed(5)} (${largest} inputs)`;
            out.dispose();
          }
          input.dispose();
        }
        await encoder.dispose();
        if (precision === 'float32') f32Rates = rates;
        const speed = options.batches.map((batch, i) => `b${batch} ${rates[i].toFixed(2)}/s x${(rates[i] / f32Rates[i]).toFixed(2)}`).join('  ');
        console.log(`  ${precision.padEnd(11)} ${(statSync(path).size / 1e6).toFixed(1).padStart(6)} MB  ${speed}  ${accuracy}`);
      }
      console.log(`  ${pytorchAnchor(c.anchor, options)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Calibration inputs for the random tower: CALIBRATION_IMAGES N(0, 1) 224 px images, seeded apart from the timed inputs. */
function calibrationBatches(): CalibrationBatch[] {
  const rng = new SeededRandom(1000);
  return Array.from({ length: CALIBRATION_IMAGES / 2 }, () => ({ data: rng.normalArray(2 * 3 * 224 * 224), dims: [2, 3, 224, 224] }));
}

async function measureModel(name: keyof typeof OPEN_CLIP_SHAPES, withText: boolean, plugins: readonly AnyClipPlugin[], options: Options): Promise<void> {
  const config = parseClipConfig({ model: OPEN_CLIP_SHAPES[name], backend: { type: 'tfjs', device: 'auto' } }, plugins);
  const assembly = assembleClip(config, plugins, { log: () => undefined });
  const session = sessionOptions({ threads: options.threads, graphOptimization: 'all' });
  const { embedDim } = config.model;
  const image = hostWeights(assembly.resolve(TRAINABLE_IMAGE_ENCODER));
  const text = withText ? hostWeights(assembly.resolve(TRAINABLE_TEXT_ENCODER)) : undefined;
  await assembly.dispose();
  const anchorName = name === 'RN50' ? 'rn50' : 'vitb32';
  // Only a tower with convolutions has a static int8 form (the others' int8-static would be their int8).
  const precisions = name === 'RN50' ? { ...PRECISIONS, 'int8-static': { quantize: 'int8' as const, calibration: calibrationBatches() } } : PRECISIONS;
  if (name === 'RN50') console.log(`int8-static: convolutions static int8, calibrated on ${CALIBRATION_IMAGES} random N(0, 1) images (the tower is random, so no real images)`);
  await measureTower(
    image,
    'image',
    config,
    plugins,
    [
      {
        name: `${name} image, 224 px`,
        anchor: `${anchorName}-image`,
        input: (rng, batch) => tf.tensor4d(rng.normalArray(batch * 3 * 224 * 224), [batch, 3, 224, 224]),
        encoder: (path) => new OnnxImageEncoder(path, { imageSize: 224, embedDim, sessionOptions: session }),
      },
    ],
    options,
    precisions,
  );
  if (!text) return;
  const textCase = (words: number): TowerCase => ({
    name: `${name} text, ${words + 2} of 77 tokens`,
    anchor: `${anchorName}-text`,
    input: (rng, batch) => randomIds(rng, batch, words),
    encoder: (path) => new OnnxTextEncoder(path, { contextLength: 77, embedDim, sessionOptions: session }),
  });
  await measureTower(text, 'text', config, plugins, [textCase(75), textCase(10)], options);
}

/**
 * clipkit's export of torch-onnx-text.py's weights against its torch.onnx graph, 77 tokens, same run: both
 * sessions loaded, called in turns, median call (see interleavedItemsPerSecond).
 */
async function againstTorchOnnxText(dir: string, plugins: readonly AnyClipPlugin[], options: Options): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'clipkit-bench-torch-text-'));
  const session = sessionOptions({ threads: options.threads, graphOptimization: 'all' });
  const rounds = Math.max(5, 3 * options.iterations);
  try {
    await exportOnnxModel(join(dir, 'model'), out, plugins);
    console.log(`text tower at 77 tokens, same weights, onnxruntime ${options.threads}t, median of ${rounds} calls in turns (load ${load()}):`);
    const encoders = [join(dir, 'text.onnx'), join(out, 'text.onnx')].map((path) => new OnnxTextEncoder(path, { contextLength: 77, embedDim: 512, sessionOptions: session }));
    for (const batch of options.batches) {
      const ids = randomIds(new SeededRandom(batch), batch, 75);
      const [torchOnnx, clipkit] = await interleavedItemsPerSecond(
        encoders.map((encoder) => () => encoder.encode(ids)),
        batch,
        rounds,
      );
      ids.dispose();
      console.log(`  b${batch}: torch.onnx ${torchOnnx.toFixed(2)}/s, clipkit ${clipkit.toFixed(2)}/s, ratio ${(clipkit / torchOnnx).toFixed(2)} (load ${load()})`);
    }
    await Promise.all(encoders.map((encoder) => encoder.dispose()));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  await initTfjs({ device: 'auto', log: () => undefined });
  console.log(
    `onnx-precision: ${options.iterations} timed calls after 1 warm-up; onnxruntime ${options.threads} threads; ${availableParallelism()} cores; load ${load()} at start`,
  );
  const plugins = await defaultPlugins();
  await measureModel('ViT-B-32', true, plugins, options);
  await measureModel('RN50', false, plugins, options);
  if (options.torchText) await againstTorchOnnxText(options.torchText, plugins, options);
  console.log(`load ${load()} at end (1, 5, 15 min; more than ${availableParallelism()} means other processes shared the cores)`);
}

export const onnxPrecision: Benchmark = {
  name: 'onnx-precision',
  description:
    'float32 vs int8 vs float16 (and RN50 static int8) ONNX exports of random ViT-B-32 and RN50 towers: items/s, file size, cosine to float32, PyTorch when ../shared/anchors is set up (--batches 1,16, --iterations 3, --threads 2, --no-pytorch, --torch-text DIR)',
  run,
};
