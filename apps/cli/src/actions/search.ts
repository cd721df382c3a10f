import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { openImageIndex, openImageSearch, type SearchResult } from '@clipkit/search';
import { openSearchEmbedder } from '../inference/open-search-embedder.js';

export interface SearchCommandOptions {
  image?: string;
  db: string;
  top: number;
  json?: boolean;
  exact?: boolean;
  model?: string;
  backend?: string;
}

/** The query as given: a text, or an image file. */
type Query = { text: string } | { image: string };

function queryOf(text: string | undefined, image: string | undefined): Query {
  if (text !== undefined && image !== undefined) throw new ClipkitError('give either a text or --image FILE, not both');
  if (image !== undefined) {
    if (!existsSync(image)) throw new ClipkitError(`--image ${image}: no such file`);
    return { image };
  }
  if (text === undefined || text.trim() === '') throw new ClipkitError('nothing to search for: give a text (clipkit search "a red circle") or --image FILE');
  return { text };
}

/** The index's folder and the model to embed the query with (--model, else the one the index records). */
async function indexedModel(db: string, model: string | undefined): Promise<{ root: string; ref: string }> {
  const index = await openImageIndex(db);
  const { root } = index;
  const ref = model ?? index.model.ref;
  index.close();
  if (ref === null) throw new ClipkitError(`${db} does not record where its model is: give --model REF (the model that built the index)`);
  return { root, ref };
}

/** A result's file, relative to the working directory when it lies under it. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

function printTable(results: readonly (SearchResult & { file: string })[]): void {
  if (results.length === 0) console.log('the index holds no images');
  for (const [i, r] of results.entries()) {
    const probability = r.probability === null ? '' : `  p ${r.probability.toFixed(3)}`;
    console.log(`${String(i + 1).padStart(3)}  ${r.score.toFixed(4)}${probability}  ${shownPath(r.file)}`);
  }
}

/** `clipkit search --db PATH "text" | --image FILE [-k N] [--json]`: the indexed images nearest the query. */
export async function search(text: string | undefined, options: SearchCommandOptions): Promise<void> {
  const query = queryOf(text, options.image);
  const { root, ref } = await indexedModel(options.db, options.model);
  const { embedder, loaded } = await openSearchEmbedder(ref, { backend: options.backend });
  try {
    const searcher = await openImageSearch(options.db, embedder);
    try {
      const found =
        'text' in query
          ? await searcher.byText(query.text, { k: options.top, exact: options.exact })
          : await searcher.byImage(query.image, { k: options.top, exact: options.exact });
      const results = found.map((r) => ({ ...r, file: join(root, r.path) }));
      if (options.json) console.log(JSON.stringify({ query, root, results: results.map((r, i) => ({ rank: i + 1, ...r })) }, null, 2));
      else printTable(results);
    } finally {
      searcher.close();
    }
  } finally {
    await loaded.dispose();
  }
}
