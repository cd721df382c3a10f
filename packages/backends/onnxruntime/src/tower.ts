import {
  type AnyClipPlugin,
  ClipkitError,
  KNOWN_PACKAGES,
  type ModelConfig,
  type PluginSection,
  type Slot,
  TRAINABLE_IMAGE_ENCODER,
  TRAINABLE_TEXT_ENCODER,
  VISUAL_PREFIX,
} from '@clipkit/core';

/** The two towers of a CLIP model. */
export type Tower = 'image' | 'text';

/** Where each tower sits: its config section, the slot its trainable plug-in fills, and its prefix in a checkpoint. */
const TOWERS: Readonly<Record<Tower, { section: 'model.vision' | 'model.text'; slot: Slot<unknown>; prefix: string }>> = {
  image: { section: 'model.vision', slot: TRAINABLE_IMAGE_ENCODER, prefix: VISUAL_PREFIX },
  text: { section: 'model.text', slot: TRAINABLE_TEXT_ENCODER, prefix: '' },
};

/** Where a tower's section is in the config ("model.vision", "model.text"). */
export function towerSectionPath(tower: Tower): 'model.vision' | 'model.text' {
  return TOWERS[tower].section;
}

/** A tower's section of the model config. */
export function towerSection(model: ModelConfig, tower: Tower): PluginSection {
  return tower === 'image' ? model.vision : model.text;
}

/** The prefix of a tower's names in a model's state dict (OpenAI's `visual.` for the image tower). */
export function towerPrefix(tower: Tower): string {
  return TOWERS[tower].prefix;
}

/**
 * The plug-in of a model's tower: the trainable tower of its `type`, whose `create` gives the weights' names
 * and shapes and whose `onnx.graph` its graph. A ClipkitError naming the type and its package when none was given.
 */
export function towerPlugin(model: ModelConfig, tower: Tower, plugins: readonly AnyClipPlugin[]): AnyClipPlugin {
  const { section, slot } = TOWERS[tower];
  const { type } = towerSection(model, tower);
  const plugin = plugins.find((p) => p.slot === slot && p.type === type);
  if (plugin) return plugin;
  const pkg = KNOWN_PACKAGES[section][type];
  throw new ClipkitError(
    `${section}.type "${type}": no plug-in given provides this tower, which export-onnx builds and reads the weights of; ` +
      (pkg ? `install ${pkg} and pass its plug-ins` : 'pass the plug-in of its package'),
  );
}
