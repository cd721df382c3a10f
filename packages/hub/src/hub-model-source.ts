import type { ModelSource } from '@clipkit/core';
import { parseHubReference } from './hub-reference.js';
import { type ResolveHubModelOptions, resolveHubModel } from './resolve-hub-model.js';

/**
 * The model source of hub names, for `loadClip(ref, plugins, { sources })`: `hf:ORG/NAME[@REVISION]` and
 * open_clip's `hf-hub:ORG/NAME` resolve to their snapshot folder in huggingface_hub's cache (downloading what
 * the model needs, see resolveHubModel, with `options`); any other reference is left to the next source or
 * taken as a path. The folder is then read like any other (core's layouts, then the other sources).
 */
export function hubModelSource(options: ResolveHubModelOptions = {}): ModelSource {
  return {
    name: '@clipkit/hub',
    async resolve(ref, { log }) {
      if (parseHubReference(ref) === undefined) return undefined;
      const folder = await resolveHubModel(ref, options);
      log(`clipkit: ${ref} is ${folder}`);
      return folder;
    },
  };
}
