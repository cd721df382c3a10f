export { CheckpointError, UnsafePickleError } from './checkpoint-error.js';
export type { TensorSource } from './tensor-source.js';
export { openTorchCheckpoint, type TorchCheckpoint, type TorchCheckpointOptions } from './torch/torch-checkpoint.js';
