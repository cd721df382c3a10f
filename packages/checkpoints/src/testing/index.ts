/**
 * Writers and mutators for tests, fuzzing and benchmarks (`@clipkit/checkpoints/testing`): torch-layout
 * zips, pickles written opcode by opcode, and seeded mutations.
 */

export { ZipArchive } from '../zip/zip-archive.js';
export { type Mutation, mutate } from './mutate.js';
export { PickleWriter } from './pickle-writer.js';
export { contiguousStride, type StorageSpec, type TensorSpec, type TorchFileSpec, torchFileChunks, writeTensor } from './torch-file.js';
export { type IntField, zipHeaderFields } from './zip-header-fields.js';
export { concatChunks, type ZipRecord, type ZipWriterOptions, zipChunks } from './zip-writer.js';
