import type { BackendType, ClipConfig } from '../config/clip-config.js';
import type { Slot } from './slots.js';

/** What a plug-in's factory gets besides the config. */
export interface PluginContext {
  /** Resolves another slot of the same pipeline (one instance per pipeline). */
  resolve<T>(slot: Slot<T>): T;
  /** The model directory the pipeline loads, when there is one (ONNX encoders read their .onnx files from it). */
  readonly modelDir: string | undefined;
  /** Where plug-ins say what they chose. */
  log(message: string): void;
}

/**
 * The plug-in contract: a package exports plain objects of this shape (no decorators, no registration
 * on import), and `assembleClip` registers the one whose `type` matches the config.
 */
export interface ClipPlugin<T = unknown> {
  readonly slot: Slot<T>;
  /** The config value that selects this plug-in, e.g. "vit" for `model.vision.type: "vit"`. */
  readonly type: string;
  /** Towers only: the runtime this implementation runs on. Default "tfjs". */
  readonly runtime?: BackendType;
  create(config: ClipConfig, context: PluginContext): T;
}

/** Helper that keeps `slot` and `create` type-consistent. */
export function definePlugin<T>(plugin: ClipPlugin<T>): ClipPlugin<T> {
  return plugin;
}
