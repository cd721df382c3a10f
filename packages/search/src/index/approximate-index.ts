/**
 * When and how an index switches from exact to approximate search. The figures behind these choices are
 * in the package README ("Exact or approximate"), measured by `npm run bench -- search-latency`.
 */

/** Row count from which `maintain` builds an IVF-PQ index (and searches use it unless asked to be exact). */
export const APPROXIMATE_MIN_ROWS = 100_000;

/** IVF-PQ settings for `rows` vectors of `dim` dimensions, with the dot product of normalised rows. */
export function ivfPqSettings(rows: number, dim: number): { numPartitions: number; numSubVectors: number; distanceType: 'dot' } {
  return {
    // LanceDB's default, sqrt(rows): the partition lists and the partition centroids then cost the same to scan.
    numPartitions: Math.max(1, Math.round(Math.sqrt(rows))),
    // 8 dimensions per 8-bit code, twice LanceDB's default resolution: recall matters more here than index size.
    numSubVectors: dim % 8 === 0 ? dim / 8 : 1,
    distanceType: 'dot',
  };
}

/** Query settings of the approximate index. */
export const APPROXIMATE_QUERY = {
  /** Partitions visited per query. */
  nprobes: 20,
  /** Candidates re-ranked with their full vectors: refineFactor x k. */
  refineFactor: 10,
} as const;
