import { ClipkitError } from '@clipkit/core';

/** A SentencePiece model (spiece.model or tokenizer.json) is malformed or uses something this port does not run. */
export class SentencePieceModelError extends ClipkitError {
  constructor(
    /** The file (or other source) the model came from. */
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
