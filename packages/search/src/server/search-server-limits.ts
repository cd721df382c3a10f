/** What the server accepts and how long it waits; every field has a default. */
export interface SearchServerLimits {
  /** Largest image upload, bytes (413 above). Default 16 MiB. */
  readonly maxUploadBytes: number;
  /** Largest uploaded image, width x height from its header (413 above). Default 40 million. */
  readonly maxImagePixels: number;
  /** Longest search text, characters (400 above). Default 1000. */
  readonly maxTextLength: number;
  /** Most results per query (400 above). Default 100. */
  readonly maxResults: number;
  /** A request not answered in this many ms gets a 503 (and its query leaves the model's queue). Default 30 s. */
  readonly requestTimeoutMs: number;
  /** Longest side of a thumbnail, pixels. Default 256. */
  readonly thumbnailSize: number;
  /** Memory for cached thumbnails, bytes. Default 64 MiB. */
  readonly thumbnailCacheBytes: number;
  /** Most queries per model call. Default 16. */
  readonly maxBatch: number;
}

export const DEFAULT_LIMITS: SearchServerLimits = {
  maxUploadBytes: 16 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  maxTextLength: 1000,
  maxResults: 100,
  requestTimeoutMs: 30_000,
  thumbnailSize: 256,
  thumbnailCacheBytes: 64 * 1024 * 1024,
  maxBatch: 16,
};
