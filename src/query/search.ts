/**
 * Matching documents from OpenSearch, oldest first, page by page with `search_after`: an answer of
 * any size streams through in pages and is never held whole.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { Doc } from '../core/types.js';
import type { KindSpec } from './fields.js';
import { toOpenSearchQuery, type QueryFilter } from './filter.js';

/** Documents per page: large enough to keep round trips few, small enough to keep memory flat. */
export const PAGE_SIZE = 1000;

/** The sort every page uses: time, then the fields that give each document one place. */
export function sortOf(spec: KindSpec): Record<string, unknown>[] {
  return [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }, ...spec.tiebreak.map((f) => ({ [f]: { order: 'asc', unmapped_type: 'keyword' } }))];
}

/** Yields the `_source` of every matching document in time order, `limit` at most. */
export async function* searchDocuments(
  client: Client, index: string, spec: KindSpec, filter: QueryFilter, limit = Number.POSITIVE_INFINITY, pageSize = PAGE_SIZE,
): AsyncGenerator<Doc> {
  let after: unknown[] | undefined;
  let left = limit;
  while (left > 0) {
    const size = Math.min(pageSize, left);
    const body = { size, query: toOpenSearchQuery(spec, filter), sort: sortOf(spec), track_total_hits: false, ...(after ? { search_after: after } : {}) };
    const res = await client.search({ index, ignore_unavailable: true, allow_no_indices: true, body: body as never });
    const hits = (res.body as { hits: { hits: { _source: Doc; sort: unknown[] }[] } }).hits.hits;
    for (const hit of hits) yield hit._source;
    left -= hits.length;
    if (hits.length < size) return;
    after = hits[hits.length - 1]?.sort;
  }
}
