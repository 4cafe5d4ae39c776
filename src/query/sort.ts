import type { Doc } from '../core/types.js';
import type { KindSpec } from './fields.js';
import { docTime, valuesAt } from './filter.js';

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  // Missing values sort last, as OpenSearch's default `missing: _last`.
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * Documents in the order `query` prints them from the index: by `@timestamp`, then the kind's
 * tie-break fields, so that the index and S3 give the same lines in the same order.
 */
export function sortDocuments(spec: KindSpec, docs: Doc[]): Doc[] {
  const key = (d: Doc) => [docTime(d), ...spec.tiebreak.map((f) => valuesAt(d, f)[0])];
  const keyed = docs.map((d) => ({ d, k: key(d) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < x.k.length; i++) {
      const c = compareValues(x.k[i], y.k[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return keyed.map((e) => e.d);
}
