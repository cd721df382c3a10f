import type { ModelSource } from '@clipkit/core';

/**
 * Where the clipkit command finds models besides core's own layouts: hub names (`hf:ORG/NAME[@REVISION]`,
 * `hf-hub:ORG/NAME`, @clipkit/hub, a progress bar on a terminal) and PyTorch, sharded and TorchScript
 * checkpoints (@clipkit/checkpoints). Imported when called, as defaultPlugins.
 */
export async function defaultModelSources(): Promise<ModelSource[]> {
  const [{ hubModelSource }, { checkpointModelSource }] = await Promise.all([import('@clipkit/hub'), import('@clipkit/checkpoints')]);
  return [hubModelSource(), checkpointModelSource];
}
