import { createRequire } from 'node:module';

/**
 * apache-arrow as @lancedb/lancedb sees it. LanceDB's CommonJS build checks `instanceof arrow.Table`
 * against the CommonJS copy of apache-arrow; an ESM `import` would load the package's ESM build, a second
 * copy whose tables LanceDB does not recognise ("Table and inner RecordBatch schemas must be equivalent").
 */
export const arrow = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow');
