import { SearchIndexError } from '../errors.js';
import type { IndexedModel } from '../search-embedder.js';

/** The schema metadata key under which an index records its root folder and model. */
const METADATA_KEY = 'clipkit.search';

const FORMAT = 1;

/** What an index records about itself, as JSON in its table's schema metadata. */
export interface IndexMetadata {
  /** The indexed folder (real path): rows' paths are relative to it. */
  readonly root: string;
  readonly model: IndexedModel;
}

export function encodeIndexMetadata(metadata: IndexMetadata): Map<string, string> {
  return new Map([[METADATA_KEY, JSON.stringify({ format: FORMAT, ...metadata })]]);
}

function isModel(value: unknown): value is IndexedModel {
  const m = value as Record<string, unknown> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    Number.isSafeInteger(m.embedDim) &&
    typeof m.preprocess === 'object' &&
    m.preprocess !== null &&
    typeof m.logitScale === 'number' &&
    (m.logitBias === null || typeof m.logitBias === 'number') &&
    (m.ref === null || typeof m.ref === 'string')
  );
}

/** The metadata of the table at `source`, or an error saying it is not a clipkit image index. */
export function decodeIndexMetadata(metadata: Map<string, string>, source: string): IndexMetadata {
  const text = metadata.get(METADATA_KEY);
  const notIndex = (why: string) => new SearchIndexError(`${source} is not a clipkit image index (${why}); build one with indexImages / clipkit index DIR --model REF --db PATH`);
  if (text === undefined) throw notIndex(`no "${METADATA_KEY}" schema metadata`);
  let json: { format?: unknown; root?: unknown; model?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw notIndex(`its "${METADATA_KEY}" metadata is not JSON`);
  }
  if (json.format !== FORMAT) throw notIndex(`metadata format ${String(json.format)}, this version reads format ${FORMAT}`);
  if (typeof json.root !== 'string' || !isModel(json.model)) throw notIndex('its metadata lacks the root folder or the model description');
  return { root: json.root, model: json.model };
}

/** Why `wanted` cannot use an index built with `stored`, or null when it can. */
export function modelMismatch(stored: IndexedModel, wanted: IndexedModel): string | null {
  if (stored.id !== wanted.id) return `it was built with model ${stored.id}${stored.ref ? ` (${stored.ref})` : ''}, not ${wanted.id}${wanted.ref ? ` (${wanted.ref})` : ''}`;
  if (stored.embedDim !== wanted.embedDim) return `it holds ${stored.embedDim}-dimensional embeddings, the model makes ${wanted.embedDim}`;
  if (JSON.stringify(stored.preprocess) !== JSON.stringify(wanted.preprocess)) {
    return `it was built with preprocessing ${JSON.stringify(stored.preprocess)}, not ${JSON.stringify(wanted.preprocess)}`;
  }
  return null;
}
