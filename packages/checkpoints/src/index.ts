export { CheckpointError, UnsafePickleError } from './checkpoint-error.js';
export { openCheckpoint } from './open-checkpoint.js';
export { openShardedCheckpoint } from './sharded/sharded-checkpoint.js';
export type { TensorSource } from '@clipkit/core';
export { openTorchCheckpoint, type TorchCheckpoint, type TorchCheckpointOptions } from './torch/torch-checkpoint.js';
export { checkpointModelSource } from './source/checkpoint-model-source.js';
