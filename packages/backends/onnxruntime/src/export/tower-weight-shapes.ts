import { type AnyClipPlugin, type ClipConfig, ClipkitError, type Module, type PluginContext } from '@clipkit/core';
import { type Tower, towerPlugin, towerSection } from '../tower.js';

/**
 * Every weight of a tower, by its state-dict name, with its shape: read from the tfjs tower its plug-in
 * creates, so the tower that trains and loads checkpoints is the only description of its weights. The
 * tower (random initial weights) is disposed before this returns; it needs a tfjs backend (ensureTensorBackend).
 */
export function towerWeightShapes(config: ClipConfig, tower: Tower, plugins: readonly AnyClipPlugin[]): Map<string, readonly number[]> {
  const plugin = towerPlugin(config.model, tower, plugins);
  const context: PluginContext = {
    config,
    resolve: () => {
      throw new ClipkitError(`the ${plugin.type} tower resolved another component while export-onnx built it to read its weight shapes`);
    },
    modelDir: undefined,
    log: () => undefined,
  };
  const module = plugin.create(towerSection(config.model, tower), context) as Module;
  try {
    return new Map([...module.stateDict()].map(([name, variable]) => [name, [...variable.shape]]));
  } finally {
    module.dispose();
  }
}
