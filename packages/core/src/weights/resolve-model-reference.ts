import type { ModelSource, ModelSourceContext } from '../components/model-source.js';

/**
 * The local folder or file a model reference names: the first model source that resolves it (a hub name
 * fetched into its cache), else the reference itself, taken as a path.
 */
export async function resolveModelReference(ref: string, sources: readonly ModelSource[], context: ModelSourceContext): Promise<string> {
  for (const source of sources) {
    const path = await source.resolve?.(ref, context);
    if (path !== undefined) return path;
  }
  return ref;
}
