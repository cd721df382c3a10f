import type { z } from 'zod';
import type { TowerOnnxExport } from '../components/onnx-graph.js';
import type { HfTowerFormat, OpenClipTowerFormat } from '../components/tower-formats.js';
import type { ClipConfig, PluginSection } from '../config/clip-config.js';
import type { TowerSize } from '../config/tower-size.js';
import type { Slot } from './slots.js';

/** What a plug-in's factory gets besides its section. */
export interface PluginContext {
  /** The whole validated config (towers read model.embedDim, datasets model.vision.imageSize and train.seed). */
  readonly config: ClipConfig;
  /** Resolves another slot of the same pipeline (one instance per pipeline). */
  resolve<T>(slot: Slot<T>): T;
  /** The model directory the pipeline loads, when there is one (ONNX encoders read their .onnx files from it). */
  readonly modelDir: string | undefined;
  /** Where plug-ins say what they chose. */
  log(message: string): void;
}

/**
 * The plug-in contract: a package exports plain objects of this shape (no decorators, no registration on
 * import), and `parseClipConfig` / `assembleClip` use those they are given. A plug-in declares the schema
 * of its config section, so a package published by anyone adds a component without any change to core.
 */
export interface ClipPlugin<T = unknown, S extends PluginSection = PluginSection> {
  readonly slot: Slot<T>;
  /**
   * The section `type` that selects this plug-in, e.g. "vit" for `model.vision.type: "vit"`. "*": any type
   * whose schema another plug-in declares (onnxruntime's towers run whatever tower was exported).
   */
  readonly type: string;
  /** Inference towers: the runtime (`backend.type`) they run on. Trainable towers run on "tfjs". */
  readonly runtime?: string;
  /**
   * The section's schema: fields with defaults and a description each (a zod schema, from `z` re-exported
   * by @clipkit/core), `type` a literal. Required unless `type` is "*".
   */
  readonly schema?: z.ZodType<S>;
  /** Towers: how their config and weights are written in open_clip's and Hugging Face's layouts. */
  readonly formats?: { readonly openClip?: OpenClipTowerFormat<S>; readonly huggingface?: HfTowerFormat<S> };
  /** Towers: their ONNX graph. */
  readonly onnx?: TowerOnnxExport<S>;
  /** Towers: their parameters and activations estimated from the section, so a model too big for the machine is refused before it is allocated. */
  size?(section: S, embedDim: number): TowerSize;
  create(section: S, context: PluginContext): T;
}

/** A plug-in of any slot and section, as lists hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a list of plug-ins holds many section types; each is checked against its own schema.
export type AnyClipPlugin = ClipPlugin<any, any>;

/** Helper that keeps `slot`, `schema` and `create` type-consistent. */
export function definePlugin<T, S extends PluginSection = PluginSection>(plugin: ClipPlugin<T, S>): ClipPlugin<T, S> {
  return plugin;
}
