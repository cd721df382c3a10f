import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { initTfjs, loadBlasAddon } from '@clipkit/backend-tfjs';
import { AdamW, type ClipTrainables, type ContrastiveLoss, contrastiveGradients, LogitParameters, SeededRandom, trainableParameters } from '@clipkit/core';
import { ModifiedResNet, type ResNetConfig } from '@clipkit/encoders-resnet';
import { VisionTransformer, type VitConfig } from '@clipkit/encoders-vit';
import { clipSoftmaxLoss } from '@clipkit/losses';
import { TextTransformer, type TextTransformerConfig } from '@clipkit/text-transformer';
import * as tf from '@tensorflow/tfjs-core';
import type { Benchmark } from './benchmarks.js';
import { runPytorchAnchor } from './pytorch-anchor.js';

/**
 * Training throughput of a CLIP model on each tfjs backend, with the same step as PyTorch's anchor
 * (../shared/anchors: `train bench-vit`, `train fashion-resnet`): CLIP loss, AdamW lr 5e-4, random data,
 * the logit scale clamped to [0, ln 100]. `--model` picks the issue's benchmark model (bench-vit, the
 * default) or the ResNet of the Fashion-MNIST recipe (fashion-resnet). Modes: `--profile` prints each
 * kernel's share of one step (wall and CPU time; `--profile-shapes N` also the N costliest kernel calls
 * by input shapes), `--memory N` tracks tensors and RSS over N steps, `--agree` compares losses
 * and gradients over 3 steps across backends.
 *
 * It runs under `node --single-threaded-gc` (restarting itself with it), the setting recommended for
 * training on the blas backend: a step frees ~6 GB of tensor buffers, and V8's concurrent collector
 * then runs helper threads on the cores the backend computes on (measured on 2 cores: 4.8-5.4 s a step
 * with them, 3.9-4.3 s without). `--concurrent-gc` keeps V8's default.
 */

const EMBED_DIM = 128;
// The text tower of both anchors; fashion-resnet's has the recipe's full BPE vocabulary.
const TEXT: TextTransformerConfig = {
  type: 'transformer',
  contextLength: 16,
  vocabSize: 1024,
  width: 128,
  heads: 4,
  layers: 4,
  mlpWidth: 512,
  layerNormEps: 1e-5,
  activation: 'quick_gelu',
  eosTokenId: null,
};

interface TrainModel {
  vision: VitConfig | ResNetConfig;
  text: TextTransformerConfig;
  /** The batch PyTorch's anchor (../shared/anchors `train <model>`) trains at by default. */
  anchorBatch: number;
  /** Parameters whose gradient is 0 in exact arithmetic, so that both backends return rounding noise (`--agree` skips them). */
  zeroGradients?: string[];
}

const MODELS: Record<string, TrainModel> = {
  'bench-vit': {
    vision: { type: 'vit', imageSize: 32, patchSize: 4, width: 256, layers: 6, heads: 4, mlpWidth: 1024, layerNormEps: 1e-5, activation: 'quick_gelu' },
    text: TEXT,
    anchorBatch: 128,
  },
  'fashion-resnet': {
    vision: { type: 'resnet', imageSize: 32, layers: [1, 1, 1, 1], width: 32, heads: 16 },
    text: { ...TEXT, vocabSize: 49408 },
    anchorBatch: 256,
    // A bias added to every key shifts all scores of the query equally, which the softmax ignores.
    zeroGradients: ['visual.attnpool.k_proj.bias'],
  },
};

// open_clip's AdamW defaults besides the issue's learning rate.
const LEARNING_RATE = 5e-4;
const ADAMW = { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.2 };
const MAX_LOG_SCALE = Math.log(100);

/** open_clip's ClipLoss, as the anchor computes it. */
const CLIP_LOSS: ContrastiveLoss = { type: 'clip', needsBias: false, compute: (image, text, scale) => clipSoftmaxLoss(image, text, scale) };

type Device = 'blas' | 'wasm' | 'cpu';

interface Options {
  model: string;
  backends: Device[];
  batch: number | null;
  steps: number | null;
  threads: number | null;
  profile: boolean;
  profileShapes: number;
  memory: number | null;
  agree: boolean;
  /** Run PyTorch's anchor for the ratio (off with --no-pytorch). */
  pytorch: boolean;
}

/**
 * Batch and timed steps per backend unless given (blas: the anchor's batch): the plain-JavaScript cpu
 * backend takes minutes per step at batch 128, and wasm aborts there (its 4 GB heap), so they run smaller
 * and say so.
 */
const DEFAULTS: Record<Device, { batch: number | null; steps: number }> = { blas: { batch: null, steps: 5 }, wasm: { batch: 32, steps: 3 }, cpu: { batch: 8, steps: 1 } };

function batchOf(device: Device, options: Options): number {
  return options.batch ?? DEFAULTS[device].batch ?? MODELS[options.model].anchorBatch;
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    model: 'bench-vit',
    backends: [],
    batch: null,
    steps: null,
    threads: null,
    profile: false,
    profileShapes: 0,
    memory: null,
    agree: false,
    pytorch: true,
  };
  const usage = `use --model ${Object.keys(MODELS).join('|')}, --backends blas,wasm,cpu, --batch N, --steps N, --threads N, --profile, --profile-shapes N, --memory STEPS, --agree, --no-pytorch, --concurrent-gc`;
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    const count = (): number => {
      i++;
      if (!(Number(value) >= 1 && Number.isInteger(Number(value)))) throw new Error(`train: ${flag} needs a whole number >= 1, got "${value}"; ${usage}`);
      return Number(value);
    };
    if (flag === '--model') {
      i++;
      if (!(value in MODELS)) throw new Error(`train: unknown model "${value}"; ${usage}`);
      options.model = value;
    } else if (flag === '--backends') {
      i++;
      const names = (value ?? '').split(',');
      if (!names.every((name): name is Device => name in DEFAULTS)) throw new Error(`train: unknown backend in "${value}"; ${usage}`);
      options.backends = names;
    } else if (flag === '--batch') options.batch = count();
    else if (flag === '--steps') options.steps = count();
    else if (flag === '--threads') options.threads = count();
    else if (flag === '--memory') options.memory = count();
    else if (flag === '--profile') options.profile = true;
    else if (flag === '--profile-shapes') {
      options.profile = true;
      options.profileShapes = count();
    } else if (flag === '--agree') options.agree = true;
    else if (flag === '--no-pytorch') options.pytorch = false;
    else if (flag === '--concurrent-gc')
      continue; // read by run()
    else throw new Error(`train: unknown argument "${flag}"; ${usage}`);
  }
  if (options.backends.length === 0) options.backends = 'error' in loadBlasAddon() ? ['wasm', 'cpu'] : ['blas', 'wasm', 'cpu'];
  return options;
}

/** The model, its optimiser and a fixed random batch; the same seed gives the same start on every backend. */
class TrainingRun {
  readonly parts: ClipTrainables;
  readonly params: Map<string, tf.Variable>;
  readonly optimizer: AdamW;
  readonly pixels: tf.Tensor4D;
  readonly ids: tf.Tensor2D;

  constructor(
    readonly model: TrainModel,
    readonly batch: number,
  ) {
    const rng = new SeededRandom(0);
    const { vision, text } = model;
    const image = vision.type === 'vit' ? new VisionTransformer(vision, EMBED_DIM, rng.fork('vision')) : new ModifiedResNet(vision, EMBED_DIM, rng.fork('vision'));
    this.parts = { image, text: new TextTransformer(text, EMBED_DIM, rng.fork('text')), logits: new LogitParameters(Math.log(1 / 0.07), null) };
    this.params = trainableParameters(this.parts);
    this.optimizer = new AdamW(this.params, ADAMW);
    const data = rng.fork('data');
    const side = vision.imageSize;
    this.pixels = tf.tensor4d(data.normalArray(batch * 3 * side * side), [batch, 3, side, side]);
    this.ids = tf.tensor2d(
      Int32Array.from({ length: batch * text.contextLength }, () => Math.floor(data.uniform() * text.vocabSize)),
      [batch, text.contextLength],
      'int32',
    );
  }

  get parameterCount(): number {
    return [...this.params.values()].reduce((sum, v) => sum + v.size, 0);
  }

  /** One training step; returns the loss, and the gradients (as host arrays) when asked. */
  step(keepGradients = false): { loss: number; grads?: Map<string, Float32Array> } {
    const { loss, grads } = contrastiveGradients(this.parts, CLIP_LOSS, this.pixels, this.ids);
    const kept = keepGradients ? new Map([...grads].map(([name, g]) => [name, Float32Array.from(g.dataSync() as Float32Array)])) : undefined;
    this.optimizer.apply(grads, LEARNING_RATE);
    this.parts.logits.clamp(MAX_LOG_SCALE);
    tf.dispose([...grads.values()]);
    return { loss, grads: kept };
  }

  dispose(): void {
    this.parts.image.dispose();
    this.parts.text.dispose();
    this.parts.logits.dispose();
    this.optimizer.dispose();
    tf.dispose([this.pixels, this.ids]);
  }
}

async function useBackend(device: Device, threads: number | null): Promise<string> {
  return (await initTfjs({ device, threads, log: () => undefined })).description;
}

/** PyTorch's figures measured in this run, by batch: backends that share a batch share one anchor run. */
const pytorchByBatch = new Map<number, number | string>();

/** PyTorch's samples/s on the same model, batch and threads, measured now; or why not (then no ratio is printed). */
function pytorchSamplesPerSecond(options: Options, batch: number): number | string {
  const known = pytorchByBatch.get(batch);
  if (known !== undefined) return known;
  const measured = measurePytorch(options, batch);
  pytorchByBatch.set(batch, measured);
  return measured;
}

function measurePytorch(options: Options, batch: number): number | string {
  const threads = options.threads ?? availableParallelism();
  const result = runPytorchAnchor(['train', options.model, '--batch', String(batch), '--threads', String(threads)]);
  if (typeof result === 'string') return result;
  console.log(
    `PyTorch ${options.model}: ${result.items_per_s.toFixed(1)} samples/s at batch ${batch}, ${threads} threads (${result.blas}, load ${result.load_before} -> ${result.load_after})`,
  );
  return result.items_per_s;
}

async function measureSpeed(device: Device, options: Options): Promise<void> {
  const description = await useBackend(device, options.threads);
  const batch = batchOf(device, options);
  const steps = options.steps ?? DEFAULTS[device].steps;
  const model = MODELS[options.model];
  const run = new TrainingRun(model, batch);
  try {
    run.step(); // warm-up: kernel set-up, first allocations
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) run.step();
    const seconds = (performance.now() - start) / 1000 / steps;
    // CPU time of all the process's threads: on a machine shared with other work, wall time is not the
    // backend's alone, and CPU-seconds per step is the figure that compares across runs.
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6 / steps;
    const samples = batch / seconds;
    const pytorch = options.pytorch ? pytorchSamplesPerSecond(options, batch) : 'not measured (--no-pytorch)';
    const ratio = typeof pytorch === 'number' ? `${(samples / pytorch).toFixed(2)} x PyTorch in this run` : `PyTorch ${pytorch}`;
    console.log(
      `${device.padEnd(5)} batch ${String(batch).padStart(3)}  ${seconds.toFixed(2).padStart(7)} s/step  ${samples.toFixed(1).padStart(6)} samples/s  ` +
        `(${ratio}; ${cpuSeconds.toFixed(2)} CPU-s/step; ${steps} steps after 1 warm-up; ${description})`,
    );
    if (options.profile) printProfile(run, options.profileShapes);
  } finally {
    run.dispose();
  }
}

/**
 * Each kernel's share of one step: every kernel of the backend is wrapped to add up its wall time and the
 * process's CPU time (all threads) while it runs, by kernel and, with `--profile-shapes N`, by kernel and
 * input shapes. On a machine shared with other work the wall times stretch, the CPU times much less.
 */
function printProfile(run: TrainingRun, shapes: number): void {
  const backend = tf.getBackend();
  type Totals = { wallMs: number; cpuMs: number; calls: number };
  const byKernel = new Map<string, Totals>();
  const byShapes = new Map<string, Totals>();
  const add = (map: Map<string, Totals>, key: string, wallMs: number, cpuMs: number) => {
    const totals = map.get(key) ?? { wallMs: 0, cpuMs: 0, calls: 0 };
    map.set(key, { wallMs: totals.wallMs + wallMs, cpuMs: totals.cpuMs + cpuMs, calls: totals.calls + 1 });
  };
  const kernels = tf.getKernelsForBackend(backend) as { kernelName: string; kernelFunc: tf.KernelFunc }[];
  const originals = kernels.map((kernel) => kernel.kernelFunc);
  kernels.forEach((kernel, i) => {
    kernel.kernelFunc = (args) => {
      const [cpuStart, start] = [process.cpuUsage(), performance.now()];
      const out = originals[i](args);
      const [cpu, wallMs] = [process.cpuUsage(cpuStart), performance.now() - start];
      const cpuMs = (cpu.user + cpu.system) / 1000;
      add(byKernel, kernel.kernelName, wallMs, cpuMs);
      if (shapes > 0) add(byShapes, `${kernel.kernelName} ${Object.values(args.inputs).map((t) => `[${t?.shape ?? ''}]`)}`, wallMs, cpuMs);
      return out;
    };
  });
  const [cpuStart, start] = [process.cpuUsage(), performance.now()];
  try {
    run.step();
  } finally {
    kernels.forEach((kernel, i) => {
      kernel.kernelFunc = originals[i];
    });
  }
  const cpu = process.cpuUsage(cpuStart);
  const stepMs = performance.now() - start;
  const inKernels = [...byKernel.values()].reduce((sum, e) => sum + e.cpuMs, 0);
  console.log(
    `  profile of one step on ${backend}: ${stepMs.toFixed(0)} ms, ${((cpu.user + cpu.system) / 1000).toFixed(0)} CPU-ms, of which ${inKernels.toFixed(0)} CPU-ms in kernels`,
  );
  const print = (map: Map<string, Totals>, limit: number) => {
    console.log(`  ${'kernel'.padEnd(24)} ${'ms'.padStart(8)} ${'CPU-ms'.padStart(8)} ${'CPU share'.padStart(9)} ${'calls'.padStart(6)}`);
    for (const [name, { wallMs, cpuMs, calls }] of [...map].sort((a, b) => b[1].cpuMs - a[1].cpuMs).slice(0, limit)) {
      if (cpuMs / inKernels < 0.002) break;
      console.log(
        `  ${name.padEnd(24)} ${wallMs.toFixed(1).padStart(8)} ${cpuMs.toFixed(1).padStart(8)} ${((100 * cpuMs) / inKernels).toFixed(1).padStart(8)}% ${String(calls).padStart(6)}`,
      );
    }
  };
  print(byKernel, Number.POSITIVE_INFINITY);
  if (shapes > 0) print(byShapes, shapes);
}

/** Tensors, tensor bytes and process RSS every tenth of `steps` steps: none should grow after the first steps. */
async function measureMemory(device: Device, steps: number, options: Options): Promise<void> {
  const description = await useBackend(device, options.threads);
  const run = new TrainingRun(MODELS[options.model], batchOf(device, options));
  console.log(`memory over ${steps} steps on ${description}, batch ${run.batch}`);
  try {
    for (let i = 1; i <= steps; i++) {
      run.step();
      if (i === 1 || i % Math.max(1, Math.floor(steps / 10)) === 0) {
        const { numTensors, numBytes } = tf.memory();
        console.log(
          `  step ${String(i).padStart(4)}: ${numTensors} tensors, ${(numBytes / 2 ** 20).toFixed(1)} MiB in tensors, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
        );
      }
    }
  } finally {
    run.dispose();
  }
}

/** max |a - b| / max |b| over all values. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The largest relative error of `other`'s gradients against `reference`'s, and where, leaving out `skipped`. */
function worstGradient(other: Map<string, Float32Array>, reference: Map<string, Float32Array>, skipped: string[]): string {
  let worst = { name: '', error: 0 };
  for (const [name, g] of reference) {
    if (skipped.includes(name)) continue;
    const error = relativeError(other.get(name) as Float32Array, g);
    if (error > worst.error) worst = { name, error };
  }
  return `${worst.error.toExponential(2)} (${worst.name})`;
}

/**
 * Losses of 3 steps and the gradients of the first and the third, on each backend, against the first
 * backend listed. The first step's gradients compare the backends' maths; by the third, AdamW's
 * normalised updates have amplified rounding differences (most on the ResNet, whose random batch is fit
 * within three steps).
 */
async function measureAgreement(options: Options): Promise<void> {
  const batch = options.batch ?? 8; // small: the cpu backend takes ~50 CPU-s a step at batch 8
  const results: { device: Device; losses: number[]; first: Map<string, Float32Array>; third: Map<string, Float32Array> }[] = [];
  for (const device of options.backends) {
    await useBackend(device, options.threads);
    const run = new TrainingRun(MODELS[options.model], batch);
    try {
      const steps = [run.step(true), run.step(), run.step(true)];
      results.push({ device, losses: steps.map((s) => s.loss), first: steps[0].grads as Map<string, Float32Array>, third: steps[2].grads as Map<string, Float32Array> });
    } finally {
      run.dispose();
    }
  }
  const [reference, ...others] = results;
  const skipped = MODELS[options.model].zeroGradients ?? [];
  console.log(`agreement over 3 steps at batch ${batch}, against ${reference.device} (losses ${reference.losses.map((l) => l.toFixed(6)).join(', ')})`);
  if (skipped.length) console.log(`  gradients that are 0 in exact arithmetic, not compared: ${skipped.join(', ')}`);
  for (const other of others) {
    const lossError = Math.max(...other.losses.map((l, i) => Math.abs(l - reference.losses[i]) / Math.abs(reference.losses[i])));
    console.log(
      `  ${other.device.padEnd(5)} losses max relative error ${lossError.toExponential(2)}; gradients max relative error, step 1: ` +
        `${worstGradient(other.first, reference.first, skipped)}, step 3: ${worstGradient(other.third, reference.third, skipped)}`,
    );
  }
}

export const trainSpeed: Benchmark = {
  name: 'train',
  description:
    'training samples/s of a CLIP model on each tfjs backend (--model bench-vit|fashion-resnet, --profile, --memory N, --agree), against PyTorch on the same model in the same run (../shared/anchors; --no-pytorch)',
  async run(args) {
    const singleThreadedGc = process.execArgv.includes('--single-threaded-gc');
    if (!singleThreadedGc && !args.includes('--concurrent-gc')) {
      // V8 flags cannot change once the heap is running: restart with the flag.
      const child = spawnSync(process.execPath, ['--single-threaded-gc', ...process.execArgv, process.argv[1], 'train', ...args], { stdio: 'inherit' });
      process.exitCode = child.status ?? 1;
      return;
    }
    const options = parseArgs(args);
    console.log(`V8 garbage collection: ${singleThreadedGc ? 'single-threaded (--single-threaded-gc)' : 'concurrent (V8 default)'}`);
    if (options.agree) return measureAgreement(options);
    if (options.memory !== null) return measureMemory(options.backends[0], options.memory, options);
    await useBackend(options.backends[0], options.threads);
    const model = MODELS[options.model];
    const run = new TrainingRun(model, 1);
    console.log(`${options.model}: ${(run.parameterCount / 1e6).toFixed(2)}M parameters (PyTorch's anchor: ../shared/anchors train ${options.model}, run after each backend)`);
    run.dispose();
    for (const device of options.backends) await measureSpeed(device, options);
  },
};
