/** The runtime a pipeline computes on. */
export interface Backend {
  readonly type: string;
  /** Prepares the runtime (for tfjs: chooses and initialises the tensor backend). Idempotent. Returns what it chose, for logs. */
  init(): Promise<string>;
}
