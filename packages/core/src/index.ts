export { z } from 'zod';
export * from './errors.js';
export type * from './config/clip-config.js';
export { type ParseClipConfigOptions, parseClipConfig, readClipConfig, readConfigPluginNames, readJsonConfig, resolveSectionPaths } from './config/parse-clip-config.js';
export { composeConfigSchema, configJsonSchema } from './config/compose-config-schema.js';
export { trainSchema } from './config/train-schema.js';
export { MAX_TENSOR_BYTES, type MemoryLimits, modelMemoryProblems } from './config/check-model-memory.js';
export { type TowerSize, type TransformerShape, transformerSize } from './config/tower-size.js';
export { preprocessSchema } from './config/preprocess-schema.js';
export { type OpenClipModelConfigJson, toOpenClipModelConfig } from './config/to-open-clip-model-config.js';
export { toHfModelConfig } from './config/to-hf-model-config.js';
export { hfModelTypes } from './config/hf-model-config.js';
export type { Module } from './components/module.js';
export type { ImageEncoder, LayerGroups, TextEncoder, TrainableImageEncoder, TrainableTextEncoder } from './components/encoders.js';
export { type AdamWState, type AdamWStep, registerTensorOps, registeredTensorOps, type TensorOps } from './components/tensor-ops.js';
export type { TensorSource } from './components/tensor-source.js';
export type { ModelSource, ModelSourceContext, SourcedModel } from './components/model-source.js';
export { type HfStorage, type HfTowerFormat, hfNamesOf, type OpenClipModelOptions, type OpenClipTowerFormat } from './components/tower-formats.js';
export {
  dataTypeAttribute,
  floatAttribute,
  intAttribute,
  intsAttribute,
  ONNX_DATA_TYPE_CODES,
  type OnnxAttribute,
  type OnnxDataType,
  type OnnxGraphBuilder,
  type OnnxTensor,
  type OnnxTensorData,
  type OnnxWeights,
  type TowerOnnxExport,
} from './components/onnx-graph.js';
export type { Tokenizer, TokenizeOptions } from './components/tokenizer.js';
export type { ContrastiveLoss } from './components/contrastive-loss.js';
export type { Backend } from './components/backend.js';
export type { ClipBatch, ClipDataset, DataPosition, RetrievalTask, ZeroShotTask } from './components/dataset.js';
export { type Token, token } from './di/token.js';
export {
  BACKEND,
  DATASET,
  IMAGE_ENCODER,
  LOSS,
  type SectionPath,
  SLOTS,
  type Slot,
  TEXT_ENCODER,
  TOKENIZER,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
} from './di/slots.js';
export { KNOWN_PACKAGES } from './di/known-packages.js';
export { type AnyClipPlugin, type ClipPlugin, definePlugin, type PluginContext } from './di/plugin.js';
export { type AssembleOptions, assembleClip, type ClipAssembly } from './di/assemble-clip.js';
export { ARRAY_TYPES, DTYPE_SIZES, type Dtype, type HostTensor, isDtype, type RawArray, toFloat16, toFloat32, toInt32 } from './safetensors/dtypes.js';
export { readSafetensors, SafetensorsFile, type TensorEntry } from './safetensors/safetensors-file.js';
export { writeSafetensors } from './safetensors/write-safetensors.js';
export { writeContentAtomic, writeFileAtomic } from './io/atomic-file.js';
export { isProcessAlive } from './io/is-process-alive.js';
export { writeError } from './io/write-error.js';
export { SeededRandom } from './random/seeded-random.js';
export { ClipModel, type ClipLogits, type ClipModelOptions, type EncodeOptions, type EncodeTextOptions, type RankResult } from './model/clip-model.js';
export { LogitParameters } from './model/logit-parameters.js';
export { l2Normalize } from './model/l2-normalize.js';
export { fillTemplate, type PromptTemplate } from './model/prompt-template.js';
export { OPENAI_IMAGENET_TEMPLATES } from './model/openai-imagenet-templates.js';
export { type HfStorageOf, hfStorageOf } from './weights/hf-storage.js';
export { loadStateDict, type LoadStateDictOptions, type WeightTarget } from './weights/load-state-dict.js';
export { clipStateTensors, type TrainableClipModel, VISUAL_PREFIX } from './weights/clip-state-dict.js';
export { toHfStateTensors } from './weights/hf-state-tensors.js';
export {
  detectModelLayout,
  hasTokenizerFiles,
  LAYOUT_CONFIG_FILES,
  type ModelDirectory,
  type ModelLayout,
  readModelDirectory,
  type ReadModelDirectoryOptions,
  WEIGHTS_FILE,
} from './weights/model-directory.js';
export { resolveModelReference } from './weights/resolve-model-reference.js';
export { saveClipModel, type SaveClipModelOptions } from './weights/save-clip-model.js';
export { clipPreprocess, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, PREPROCESSOR_CONFIG_FILE, preprocessorConfigJson } from './weights/preprocessor-config.js';
export { readZeroShotPrompts, ZERO_SHOT_PROMPTS_FILE, type ZeroShotPrompts, writeZeroShotPrompts } from './weights/zero-shot-prompts.js';
export { clipStateSource } from './weights/clip-state-source.js';
export { type LoadedClip, loadClip, type LoadClipOptions } from './pipelines/load-clip.js';
export { AdamW, type AdamWOptions } from './training/adamw.js';
export { learningRate } from './training/learning-rate.js';
export { clipGradNorm } from './training/clip-grad-norm.js';
export { type ClipTrainables, clipStateDict, trainableParameters } from './training/clip-trainables.js';
export { contrastiveGradients, type ContrastiveStep } from './training/contrastive-gradients.js';
export { CHECKPOINT_DIR, type CheckpointContents, findCheckpoint, loadCheckpoint, readCheckpointConfig, saveCheckpoint, type TrainerState } from './training/checkpoint.js';
export { lockTowers } from './training/lock-towers.js';
export { lockRunDir, RUN_LOCK_FILE, RunLockedError } from './training/run-lock.js';
export { type EvalMetrics, MetricsLog, type MetricsLine, type TrainMetrics } from './training/metrics-log.js';
export { NonFiniteLossError, trainClip, type TrainEvent, type TrainOptions, type TrainResult } from './training/train-clip.js';
export { accuracyOf, type ZeroShotAccuracy, type ZeroShotPredictions, zeroShotAccuracy, zeroShotPredictions } from './evaluation/zero-shot-accuracy.js';
export { type RecallAtK, retrievalRecall, type RetrievalRecall } from './evaluation/retrieval-recall.js';
export { type LbfgsOptions, type LbfgsResult, lbfgs, type Objective } from './evaluation/lbfgs.js';
export {
  accuracy,
  type FeatureRows,
  type FitOptions,
  fitLogisticRegression,
  type LogisticRegression,
  predictClasses,
} from './evaluation/logistic-regression.js';
export { type LabelledRows, linearProbe, type LinearProbeOptions, type LinearProbeResult } from './evaluation/linear-probe.js';
