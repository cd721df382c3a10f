import { ClipkitError } from '@clipkit/core';

/** A checkpoint file is malformed, truncated, or holds something clipkit does not read. Names the file. */
export class CheckpointError extends ClipkitError {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
  }
}

/**
 * A pickle names a global (a Python function or class) outside the tensor allow-list, or asks to call,
 * build or construct something a weights file never needs. Raised when the opcode is read, before anything
 * is built from the file; names the global and its byte offset in the pickle.
 */
export class UnsafePickleError extends CheckpointError {
  constructor(
    file: string,
    /** `module.name` as the pickle spells it, e.g. `os.system`. */
    readonly global: string,
    /** Byte offset of the opcode in the pickle record. */
    readonly offset: number,
    message: string,
  ) {
    super(file, message);
  }
}
