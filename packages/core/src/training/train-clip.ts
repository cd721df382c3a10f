import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { ClipDataset } from '../components/dataset.js';
import type { TensorSource } from '../components/tensor-source.js';
import type { Tokenizer } from '../components/tokenizer.js';
import type { ClipConfig } from '../config/clip-config.js';
import { parseClipConfig } from '../config/parse-clip-config.js';
import { assembleClip } from '../di/assemble-clip.js';
import type { AnyClipPlugin } from '../di/plugin.js';
import { BACKEND, DATASET, LOSS, TOKENIZER, TRAINABLE_IMAGE_ENCODER, TRAINABLE_TEXT_ENCODER } from '../di/slots.js';
import { ClipkitError } from '../errors.js';
import { retrievalRecall } from '../evaluation/retrieval-recall.js';
import { zeroShotAccuracy } from '../evaluation/zero-shot-accuracy.js';
import { writeError } from '../io/write-error.js';
import { ClipModel } from '../model/clip-model.js';
import { LogitParameters } from '../model/logit-parameters.js';
import { clipPreprocess } from '../weights/preprocessor-config.js';
import { saveClipModel } from '../weights/save-clip-model.js';
import type { ZeroShotPrompts } from '../weights/zero-shot-prompts.js';
import { AdamW } from './adamw.js';
import { CHECKPOINT_DIR, findCheckpoint, loadCheckpoint, readCheckpointConfig, removeCheckpointTraces, saveCheckpoint, type TrainerState, verifyCheckpoint } from './checkpoint.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { type ClipTrainables, clipStateDict, trainableParameters } from './clip-trainables.js';
import { contrastiveGradients } from './contrastive-gradients.js';
import { loadInitialWeights } from './initial-weights.js';
import { learningRate } from './learning-rate.js';
import { lockTowers } from './lock-towers.js';
import { type EvalMetrics, MetricsLog, type TrainMetrics } from './metrics-log.js';
import { lockRunDir } from './run-lock.js';

export interface TrainOptions {
  /** The run directory: checkpoint/ (the latest checkpoint, also a model directory) and metrics.jsonl. */
  outDir: string;
  /** Continue the run in outDir from its last checkpoint, as if it had never stopped. Default false. */
  resume?: boolean;
  /** Stop once this many steps are done; the learning-rate schedule still spans the configured length. Default: no limit. */
  maxSteps?: number;
  /** Receives progress as the run goes. */
  onEvent?: (event: TrainEvent) => void;
  /** Receives one-line messages (backend choice). Default: console.error. */
  log?: (message: string) => void;
  /**
   * The weights `train.init` names, under clipkit's state-dict names (`clipStateSource` of the loaded model):
   * required to start a run whose config sets train.init, unused when resuming. trainClip closes it (once read).
   * The config must describe that model (model section, tokenizer, preprocessing; the clipkit command fills
   * them in from it).
   */
  init?: TensorSource;
}

export type TrainEvent =
  | {
      type: 'start';
      startStep: number;
      endStep: number;
      totalSteps: number;
      batchSize: number;
      /** Trainable values. */
      parameters: number;
      /** Values train.lock keeps fixed. */
      lockedParameters: number;
      backend: string;
      resumedFrom: string | null;
    }
  | { type: 'step'; stepsDone: number; loss: number; lr: number }
  | { type: 'log'; metrics: TrainMetrics }
  | { type: 'eval'; metrics: EvalMetrics }
  | { type: 'checkpoint'; stepsDone: number; dir: string };

export interface TrainResult {
  stepsDone: number;
  /** Loss of the last step. */
  finalLoss: number;
  /** The evaluation at the end (null when the data has no evaluation task). */
  evaluation: EvalMetrics | null;
  checkpointDir: string;
  /** The final model in train.exportLayout, or null. */
  exportDir: string | null;
  metricsFile: string;
  /** Training samples per second over the whole run (evaluation and checkpoints excluded). */
  samplesPerSecond: number;
}

/** The loss went NaN or infinite: the run stops before the bad update, keeping the last good checkpoint. */
export class NonFiniteLossError extends ClipkitError {}

async function evaluate(parts: ClipTrainables, tokenizer: Tokenizer, dataset: ClipDataset, afterSteps: number): Promise<EvalMetrics> {
  const model = new ClipModel(parts.image, parts.text, { logitScale: parts.logits.scaleValue(), logitBias: parts.logits.biasValue() });
  const zeroShotTask = dataset.zeroShot();
  const retrievalTask = dataset.retrieval();
  return {
    type: 'eval',
    afterSteps,
    zeroShot: zeroShotTask ? await zeroShotAccuracy(model, tokenizer, zeroShotTask) : null,
    retrieval: retrievalTask ? await retrievalRecall(model, tokenizer, retrievalTask) : null,
  };
}

/** The config a run records: the data's preprocessing made explicit (the dataset's own when the config's is null). */
function runConfig(config: ClipConfig, dataset: ClipDataset): ClipConfig {
  return { ...config, preprocess: dataset.preprocess ?? config.preprocess ?? clipPreprocess(config.model.vision.imageSize) };
}

/** Checks that a resumed run continues the same experiment (a checkpoint from before `preprocess` was recorded had the data's own). */
async function checkResumable(checkpointDir: string, config: ClipConfig, plugins: readonly AnyClipPlugin[], dataset: ClipDataset): Promise<void> {
  const saved = runConfig(parseClipConfig(await readCheckpointConfig(checkpointDir), plugins, join(checkpointDir, 'clipkit.json')), dataset);
  // By content: a plug-in schema's transform may write a section's keys in another order once they are explicit.
  const differing = (Object.keys(config) as (keyof ClipConfig)[]).filter((key) => !isDeepStrictEqual(saved[key], config[key]));
  if (differing.length > 0) {
    throw new ClipkitError(
      `the run in ${checkpointDir} was trained with a different config (${differing.join(', ')} differ); ` +
        'resume it with its own config (clipkit train --resume --out DIR, without --config) or train into another --out',
    );
  }
}

/** The class names and templates a checkpoint keeps, so zero-shot commands prompt the model as it was evaluated. */
function promptsOf(dataset: ClipDataset): ZeroShotPrompts | undefined {
  const task = dataset.zeroShot();
  return task ? { classNames: task.classNames, templates: task.templates } : undefined;
}

/**
 * Trains a CLIP model as the config says: assembles the plug-ins, starts from `train.init`'s weights (given as
 * `options.init`) or from the seed, locks what `train.lock` says, then runs AdamW steps over the dataset with
 * the learning-rate schedule, gradient clipping and accumulation, logging to metrics.jsonl, checkpointing
 * atomically (with the data's image transform and zero-shot prompts), and evaluating periodically and at the
 * end. A run is deterministic for a given config and seed, and `resume` continues it exactly.
 */
export async function trainClip(config: ClipConfig, plugins: readonly AnyClipPlugin[], options: TrainOptions): Promise<TrainResult> {
  let unlock: () => void;
  try {
    try {
      mkdirSync(options.outDir, { recursive: true });
    } catch (error) {
      throw writeError(options.outDir, error);
    }
    // One run at a time in a folder: two would interleave metrics.jsonl and overwrite each other's checkpoints.
    unlock = lockRunDir(options.outDir);
  } catch (error) {
    await options.init?.close();
    throw error;
  }
  try {
    return await trainLocked(config, plugins, options);
  } finally {
    unlock();
  }
}

/** The last evaluation logged after `steps` steps, if any. */
function evaluationAt(metrics: MetricsLog, steps: number): EvalMetrics | undefined {
  return metrics
    .read()
    .filter((line): line is EvalMetrics => line.type === 'eval' && line.afterSteps === steps)
    .at(-1);
}

async function trainLocked(config: ClipConfig, plugins: readonly AnyClipPlugin[], options: TrainOptions): Promise<TrainResult> {
  const { outDir } = options;
  const emit = options.onEvent ?? (() => undefined);
  // A killed run may have left a checkpoint half-written in its staging folder, or the one it replaced.
  await removeCheckpointTraces(outDir);
  const existing = findCheckpoint(outDir);
  if (options.resume && !existing) throw new ClipkitError(`${outDir} has no checkpoint to resume from; train without --resume to start a run there`);
  if (!options.resume && existing) throw new ClipkitError(`${outDir} already holds a run (${existing}); pass --resume to continue it, or choose another --out`);
  if (options.init && config.train.init === null) {
    await options.init.close();
    throw new ClipkitError('initial weights were given, but train.init is null: name the model they come from in train.init');
  }
  if (!existing && config.train.init !== null && !options.init) {
    throw new ClipkitError(`train.init is "${config.train.init}", but its weights were not given: load the model and pass it as options.init (clipStateSource)`);
  }

  // The initial weights are released as soon as they are copied (at once when resuming), or when the run fails before that.
  let init = options.init;
  if (existing && init) {
    await init.close();
    init = undefined;
  }
  const assembly = assembleClip(config, plugins, { log: options.log });
  const owned: { dispose(): void }[] = [];
  try {
    const backend = await assembly.resolve(BACKEND).init();
    if (config.backend.type !== 'tfjs') throw new ClipkitError(`backend.type "${config.backend.type}" runs inference only; train with backend.type "tfjs"`);
    const contrastiveLoss = assembly.resolve(LOSS);
    if (contrastiveLoss.needsBias && config.model.logitBias === null) {
      throw new ClipkitError(
        `loss.type "${contrastiveLoss.type}" needs a logit bias, but model.logitBias is null: set it (SigLIP starts at -10, with model.logitScale ln 10 = 2.302585)`,
      );
    }
    const logits = new LogitParameters(config.model.logitScale, config.model.logitBias);
    owned.push(logits);
    const parts: ClipTrainables = { image: assembly.resolve(TRAINABLE_IMAGE_ENCODER), text: assembly.resolve(TRAINABLE_TEXT_ENCODER), logits };
    const tokenizer = assembly.resolve(TOKENIZER);
    const dataset = assembly.resolve(DATASET);
    const run = runConfig(config, dataset);
    if (existing) {
      await verifyCheckpoint(existing);
      await checkResumable(existing, run, plugins, dataset);
    }
    const prompts = promptsOf(dataset);
    const { batchSize, accumulationSteps, logEvery, evalEvery, checkpointEvery, gradClipNorm } = config.train;
    const perEpoch = dataset.batchesPerEpoch(batchSize);
    const totalSteps = config.train.steps ?? (perEpoch === null ? null : perEpoch * config.train.epochs);
    if (totalSteps === null) throw new ClipkitError(`data.type "${config.data.type}" is endless: set train.steps`);
    if (totalSteps === 0) throw new ClipkitError(`the data has fewer samples than one batch of ${batchSize}: lower train.batchSize`);
    const endStep = Math.min(totalSteps, options.maxSteps ?? Infinity);

    const model = clipStateDict(parts);
    // Locked before the optimiser exists, so it keeps no moments for them.
    const lockedParameters = lockTowers(parts, config.train.lock);
    const optimizer = new AdamW(trainableParameters(parts), config.train);
    owned.push(optimizer);
    const metrics = new MetricsLog(join(outDir, 'metrics.jsonl'));
    let state: TrainerState = { step: 0, position: { epoch: 0, batch: 0 } };
    if (existing) {
      state = await loadCheckpoint(existing, model, optimizer);
      metrics.truncateAfter(state.step);
    } else {
      if (init) {
        const source = init;
        init = undefined;
        await loadInitialWeights(parts, config.train, source);
      }
      metrics.truncateAfter(0);
    }
    const startStep = state.step;
    const evaluateAndLog = async () => {
      const evaluation = await evaluate(parts, tokenizer, dataset, state.step);
      metrics.append(evaluation);
      emit({ type: 'eval', metrics: evaluation });
      return evaluation;
    };
    const parameters = [...trainableParameters(parts).values()].reduce((n, v) => n + v.size, 0);
    emit({ type: 'start', startStep, endStep, totalSteps, batchSize, parameters, lockedParameters, backend, resumedFrom: existing ?? null });

    const contextLength = config.model.text.contextLength;
    const checkpoint = async () => {
      const dir = await saveCheckpoint(outDir, { config: run, model, optimizer, state, prompts });
      emit({ type: 'checkpoint', stepsDone: state.step, dir });
      return dir;
    };
    // A run killed between a checkpoint and the evaluation that follows it evaluates first.
    if (existing && state.step < endStep && evalEvery !== null && state.step % evalEvery === 0 && !evaluationAt(metrics, state.step)) await evaluateAndLog();
    // The loss of the last step logged, until this run takes one (a finished run resumed takes none).
    let loss = metrics
      .read()
      .filter((line): line is TrainMetrics => line.type === 'train')
      .reduce((_, line) => line.loss, NaN);
    let trainSeconds = 0;
    let samplesSinceLog = 0;
    let secondsSinceLog = 0;
    const batches = dataset.trainBatches({ batchSize, start: state.position })[Symbol.asyncIterator]();
    while (state.step < endStep) {
      const next = await batches.next();
      if (next.done) throw new ClipkitError(`the ${config.data.type} data ended after ${state.step} steps`);
      const { batch } = next.value;
      const started = performance.now();
      const lr = learningRate(state.step, totalSteps, config.train);
      const n = batch.captions.length;
      const pixels = tf.tensor4d(batch.pixelValues, batch.pixelShape);
      const ids = tf.tensor2d(tokenizer.tokenize(batch.captions, { contextLength }), [n, contextLength], 'int32');
      const step = contrastiveGradients(parts, contrastiveLoss, pixels, ids, accumulationSteps);
      tf.dispose([pixels, ids]);
      loss = step.loss;
      if (!Number.isFinite(loss)) {
        tf.dispose([...step.grads.values()]);
        const kept = findCheckpoint(outDir);
        throw new NonFiniteLossError(
          `the loss is ${loss} at step ${state.step} (lr ${lr.toExponential(2)}): the run stopped before applying it. ` +
            `${kept ? `The last good checkpoint is ${kept}. ` : 'No checkpoint was written yet. '}` +
            'Lower train.lr, set train.gradClipNorm, or check the data.',
        );
      }
      const gradNorm = gradClipNorm === null ? null : clipGradNorm(step.grads, gradClipNorm);
      optimizer.apply(step.grads, lr);
      tf.dispose([...step.grads.values()]);
      logits.clamp(config.train.maxLogitScale);
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      secondsSinceLog += seconds;
      samplesSinceLog += n;
      const index = state.step;
      state = { step: state.step + 1, position: next.value.next };
      emit({ type: 'step', stepsDone: state.step, loss, lr });

      if (index % logEvery === 0 || state.step === endStep) {
        const line: TrainMetrics = {
          type: 'train',
          step: index,
          loss,
          lr,
          logitScale: logits.scaleValue(),
          logitBias: logits.biasValue(),
          gradNorm,
          samplesPerSecond: samplesSinceLog / secondsSinceLog,
        };
        metrics.append(line);
        emit({ type: 'log', metrics: line });
        samplesSinceLog = 0;
        secondsSinceLog = 0;
      }
      if (state.step < endStep && checkpointEvery !== null && state.step % checkpointEvery === 0) await checkpoint();
      if (state.step < endStep && evalEvery !== null && state.step % evalEvery === 0) await evaluateAndLog();
    }
    await batches.return?.();
    // A resumed run that had nothing left to train keeps its checkpoint as it is.
    const checkpointDir = state.step === startStep && existing === join(outDir, CHECKPOINT_DIR) ? existing : await checkpoint();
    let exportDir: string | null = null;
    if (config.train.exportLayout !== null) {
      exportDir = join(outDir, config.train.exportLayout);
      const trained = new ClipModel(parts.image, parts.text, { logitScale: logits.scaleValue(), logitBias: logits.biasValue() });
      await saveClipModel(exportDir, config.train.exportLayout, trained, run, plugins, { prompts });
    }
    // Once per run: a finished run resumed (or one killed after its final evaluation) keeps the one it logged.
    const evaluation = dataset.zeroShot() || dataset.retrieval() ? (evaluationAt(metrics, state.step) ?? (await evaluateAndLog())) : null;
    const samplesPerSecond = trainSeconds > 0 ? ((state.step - startStep) * batchSize) / trainSeconds : 0;
    return { stepsDone: state.step, finalLoss: loss, evaluation, checkpointDir, exportDir, metricsFile: metrics.path, samplesPerSecond };
  } finally {
    await init?.close();
    for (const part of owned) part.dispose();
    await assembly.dispose();
  }
}
