import { ClipkitError } from '@clipkit/core';

/** tokenize with `truncate: false` got a text longer than the context length; says which and by how much. */
export class TextTooLongError extends ClipkitError {
  constructor(
    /** Index of the text in the batch. */
    readonly index: number,
    /** Its length in tokens, end token included. */
    readonly length: number,
    readonly contextLength: number,
  ) {
    super(`tokenize: text ${index} is ${length} tokens long (end token included), more than the context length ${contextLength}; shorten it or allow truncation`);
  }
}
