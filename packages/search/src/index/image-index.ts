import { existsSync } from 'node:fs';
import { type Connection, connect, Index, type Table } from '@lancedb/lancedb';
import { SearchIndexError } from '../errors.js';
import type { IndexedModel } from '../search-embedder.js';
import { APPROXIMATE_MIN_ROWS, APPROXIMATE_QUERY, ivfPqSettings } from './approximate-index.js';
import { IMAGE_ID_PATTERN } from './image-id.js';
import type { ImageRecord, ImageRow } from './image-row.js';
import { decodeIndexMetadata, encodeIndexMetadata, type IndexMetadata, modelMismatch } from './index-metadata.js';
import { indexSchema, RECORD_COLUMNS, recordAt, rowsToArrow, vectorAt } from './index-table.js';

const TABLE = 'images';
/** Ids per `IN (...)` filter, so that a filter stays a few tens of kB. */
const IDS_PER_FILTER = 1000;
/** How long replaced data files stay on disk after `maintain`, for readers still on an older version. */
const CLEANUP_GRACE_MS = 10 * 60_000;

export interface OpenImageIndexOptions {
  /** Refuse the index unless it was built with this model (id, embedding size, preprocessing). */
  readonly model?: IndexedModel;
  /** Seconds between checks for versions written by another process, e.g. `clipkit index` while a server runs. Default 5. */
  readonly readConsistencySeconds?: number;
}

export interface NearestOptions {
  /** Rows to return (fewer when the index holds fewer). */
  readonly k: number;
  /** Scan every row even when an approximate index exists. Default false. */
  readonly exact?: boolean;
  /** Leave this row out (the query image of "more like this"). */
  readonly excludeId?: string;
  /** Approximate search: partitions visited. Default APPROXIMATE_QUERY.nprobes. */
  readonly nprobes?: number;
  /** Approximate search: refineFactor x k candidates re-ranked by their full vectors. Default APPROXIMATE_QUERY.refineFactor. */
  readonly refineFactor?: number;
}

/** A search result: the stored record and its cosine similarity with the query. */
export interface Neighbour {
  readonly record: ImageRecord;
  readonly cosine: number;
}

function checkId(id: string): string {
  if (!IMAGE_ID_PATTERN.test(id)) throw new SearchIndexError(`"${id}" is not an image id (24 hex digits)`);
  return id;
}

function idFilters(ids: readonly string[]): string[] {
  const filters: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_FILTER)
    filters.push(
      `id IN (${ids
        .slice(i, i + IDS_PER_FILTER)
        .map((id) => `'${checkId(id)}'`)
        .join(', ')})`,
    );
  return filters;
}

/**
 * An image index: one LanceDB table of image records and their normalised embeddings, in the folder
 * `dbPath`, whose schema metadata names the indexed root folder and the model. Every write is one LanceDB
 * commit (atomic: a killed process leaves the previous version), and rows are written by merge on `id`,
 * so writing a row again replaces it.
 */
export class ImageIndex {
  private constructor(
    readonly dbPath: string,
    readonly metadata: IndexMetadata,
    private readonly connection: Connection,
    private readonly table: Table,
  ) {}

  get root(): string {
    return this.metadata.root;
  }

  get model(): IndexedModel {
    return this.metadata.model;
  }

  /** Opens an existing index; with `options.model`, refuses an index built with another model. */
  static async open(dbPath: string, options: OpenImageIndexOptions = {}): Promise<ImageIndex> {
    if (!existsSync(dbPath)) throw new SearchIndexError(`no image index at ${dbPath}: build one first (clipkit index DIR --model REF --db ${dbPath})`);
    const connection = await connect(dbPath, { readConsistencyInterval: options.readConsistencySeconds ?? 5 });
    if (!(await connection.tableNames()).includes(TABLE)) {
      connection.close();
      throw new SearchIndexError(`${dbPath} holds no "${TABLE}" table: it is not a clipkit image index (build one with clipkit index DIR --model REF --db ${dbPath})`);
    }
    const table = await connection.openTable(TABLE);
    try {
      const index = new ImageIndex(dbPath, decodeIndexMetadata((await table.schema()).metadata, dbPath), connection, table);
      if (options.model) index.requireModel(options.model);
      return index;
    } catch (error) {
      table.close();
      connection.close();
      throw error;
    }
  }

  /**
   * Opens the index for indexing `root` with `model`, creating it (an empty table whose metadata names both,
   * in one commit) when `dbPath` holds none. An existing index must have the same root and model.
   */
  static async openForWriting(dbPath: string, metadata: IndexMetadata): Promise<ImageIndex> {
    const connection = await connect(dbPath, { readConsistencyInterval: 0 });
    if (!(await connection.tableNames()).includes(TABLE)) {
      await connection.createEmptyTable(TABLE, indexSchema(metadata.model.embedDim, encodeIndexMetadata(metadata)), { mode: 'create', existOk: true });
    }
    connection.close();
    const index = await ImageIndex.open(dbPath, { model: metadata.model, readConsistencySeconds: 0 });
    if (index.root !== metadata.root) {
      index.close();
      throw new SearchIndexError(`${dbPath} indexes ${index.root}, not ${metadata.root}: an index covers one folder; index ${metadata.root} into another --db`);
    }
    return index;
  }

  /** Throws unless the index was built with `model`. */
  requireModel(model: IndexedModel): void {
    const why = modelMismatch(this.model, model);
    if (why !== null) throw new SearchIndexError(`${this.dbPath} cannot be used with this model: ${why}. Use the model that built the index, or index into another --db`);
  }

  count(): Promise<number> {
    return this.table.countRows();
  }

  /** Every record, without embeddings. */
  async records(): Promise<ImageRecord[]> {
    const result = await this.table
      .query()
      .select([...RECORD_COLUMNS])
      .toArrow();
    return Array.from({ length: result.numRows }, (_, i) => recordAt(result, i));
  }

  /** The record of row `id`, without its embedding, or null. */
  async record(id: string): Promise<ImageRecord | null> {
    const result = await this.table
      .query()
      .where(`id = '${checkId(id)}'`)
      .select([...RECORD_COLUMNS])
      .limit(1)
      .toArrow();
    return result.numRows === 0 ? null : recordAt(result, 0);
  }

  /** The rows with these ids (in no particular order); unknown ids are left out. */
  async rows(ids: readonly string[]): Promise<ImageRow[]> {
    const rows: ImageRow[] = [];
    for (const filter of idFilters(ids)) {
      const result = await this.table
        .query()
        .where(filter)
        .select([...RECORD_COLUMNS, 'vector'])
        .toArrow();
      for (let i = 0; i < result.numRows; i++) rows.push({ ...recordAt(result, i), vector: vectorAt(result, i) });
    }
    return rows;
  }

  async row(id: string): Promise<ImageRow | null> {
    return (await this.rows([id]))[0] ?? null;
  }

  /** Inserts the rows, replacing any row with the same id: one commit. */
  async write(rows: readonly ImageRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (const row of rows) {
      checkId(row.id);
      if (row.vector.length !== this.model.embedDim)
        throw new SearchIndexError(`row ${row.path}: embedding of ${row.vector.length} values, the index holds ${this.model.embedDim}`);
    }
    await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rowsToArrow(rows, this.model.embedDim));
  }

  /** Deletes the rows with these ids (one commit per 1000 ids). */
  async remove(ids: readonly string[]): Promise<void> {
    for (const filter of idFilters(ids)) await this.table.delete(filter);
  }

  /** Whether searches use an approximate (IVF-PQ) index. */
  async isApproximate(): Promise<boolean> {
    return (await this.table.listIndices()).some((index) => index.columns.includes('vector'));
  }

  /**
   * The k rows of highest cosine similarity with `vector` (normalised), best first. Exact (every row's dot
   * product) unless the index has an approximate index and `exact` is not set.
   */
  async nearest(vector: Float32Array, options: NearestOptions): Promise<Neighbour[]> {
    const { k } = options;
    if (!Number.isSafeInteger(k) || k < 1) throw new SearchIndexError(`k must be an integer >= 1, got ${k}`);
    if (vector.length !== this.model.embedDim) throw new SearchIndexError(`a query of ${vector.length} values cannot search ${this.model.embedDim}-dimensional embeddings`);
    let query = this.table
      .vectorSearch(vector)
      .distanceType('dot')
      .limit(k)
      .select([...RECORD_COLUMNS, '_distance']);
    if (options.excludeId !== undefined) query = query.where(`id != '${checkId(options.excludeId)}'`);
    query =
      options.exact || !(await this.isApproximate())
        ? query.bypassVectorIndex()
        : query.nprobes(options.nprobes ?? APPROXIMATE_QUERY.nprobes).refineFactor(options.refineFactor ?? APPROXIMATE_QUERY.refineFactor);
    const result = await query.toArrow();
    const distances = result.getChild('_distance')!;
    // LanceDB's "dot" distance is 1 - q . x.
    return Array.from({ length: result.numRows }, (_, i) => ({ record: recordAt(result, i), cosine: 1 - distances.get(i) }));
  }

  /**
   * After a batch of writes: compacts the many small commits into few files, drops data replaced more than a
   * few minutes ago, brings existing indices up to date, and builds what is missing: a B-tree on `id` (row
   * lookups) and, from `approximateMinRows` rows on, the IVF-PQ index.
   */
  async maintain(approximateMinRows: number = APPROXIMATE_MIN_ROWS): Promise<{ approximate: boolean }> {
    await this.table.optimize({ cleanupOlderThan: new Date(Date.now() - CLEANUP_GRACE_MS) });
    const rows = await this.count();
    const indices = await this.table.listIndices();
    if (rows > 0 && !indices.some((index) => index.columns.includes('id'))) await this.table.createIndex('id', { config: Index.btree() });
    let approximate = indices.some((index) => index.columns.includes('vector'));
    if (!approximate && rows >= approximateMinRows) {
      await this.table.createIndex('vector', { config: Index.ivfPq(ivfPqSettings(rows, this.model.embedDim)) });
      approximate = true;
    }
    return { approximate };
  }

  close(): void {
    this.table.close();
    this.connection.close();
  }
}
