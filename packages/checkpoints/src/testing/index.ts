/**
 * Writers and mutators for tests, fuzzing and benchmarks (`@clipkit/checkpoints/testing`): torch-layout
 * zips, pickles written opcode by opcode, and seeded mutations.
 */
export { PickleWriter } from './pickle-writer.js';
export { type IntField, zipHeaderFields } from './zip-header-fields.js';
export { concatChunks, type ZipRecord, type ZipWriterOptions, zipChunks } from './zip-writer.js';
