import type { TensorSource } from './tensor-source.js';

/** What a model source is given besides the path or reference. */
export interface ModelSourceContext {
  /** Where to say what was chosen (a hub download, which of several weight files). */
  readonly log: (message: string) => void;
}

/**
 * A model that a source found in a folder or file core's own layouts do not read (PyTorch checkpoints,
 * shards, TorchScript archives, ...): its config as open_clip or transformers write it, and its weights.
 */
export interface SourcedModel {
  /**
   * The kind of `config`, which also says how the weights are named: `open_clip` for an open_clip model
   * config (bare, or wrapped as `{ model_cfg, preprocess_cfg }`) with OpenAI state-dict names
   * (`visual.conv1.weight`); `huggingface` for a transformers config.json with transformers' names.
   */
  readonly layout: 'open_clip' | 'huggingface';
  readonly config: Readonly<Record<string, unknown>>;
  /** The file the config was read from, quoted in config errors (the weights file when it was inferred from them). */
  readonly configFile: string;
  /** The weights file used (for a sharded checkpoint, its index). */
  readonly weightsFile: string;
  /** What the log should say: why this file among several, or that the architecture was inferred. */
  readonly notes: readonly string[];
  /** Opens the weights; the caller closes them. */
  openWeights(): Promise<TensorSource>;
}

/**
 * Where models come from beyond core's own model directories (a folder with a layout config and
 * model.safetensors): a package that reads other formats, or fetches models by name, implements this and
 * the caller passes it to `loadClip` / `readModelDirectory` in `sources`. Core itself parses no format
 * but safetensors and opens no connection.
 */
export interface ModelSource {
  /** Shown in logs and errors, e.g. "@clipkit/checkpoints". */
  readonly name: string;
  /**
   * The local folder or file a reference names (a hub name such as `hf:ORG/NAME` fetched into a cache),
   * or undefined when the reference is not of this source's kind. Sources are asked in order; the first
   * answer is used, and a reference no source resolves is a local path.
   */
  resolve?(ref: string, context: ModelSourceContext): Promise<string | undefined>;
  /**
   * The model in a folder or file that core's own layouts do not read (asked in order, after core), or
   * undefined when this source does not recognise it. Throws a ClipkitError when it recognises the
   * files but they are broken or unsafe.
   */
  read?(path: string, context: ModelSourceContext): Promise<SourcedModel | undefined>;
}
