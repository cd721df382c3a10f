export { CheckpointError, UnsafePickleError } from './checkpoint-error.js';
export type { TensorSource } from './tensor-source.js';
