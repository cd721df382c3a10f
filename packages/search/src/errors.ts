import { ClipkitError } from '@clipkit/core';

/** An image index cannot be opened, written or queried as asked: the message says which index and what to do. */
export class SearchIndexError extends ClipkitError {}

/** A search request was refused (bad text, image, id or k); the server answers it with `statusCode`. */
export class SearchRequestError extends ClipkitError {
  constructor(
    readonly statusCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
