/**
 * Parse pools for a `describe` block of tests: the enrichment databases opened before its tests,
 * and every pool made with {@link SuitePools.pool} closed after them, so no thread outlives the file.
 */
import { after, before } from 'node:test';
import { openEnrichment, type EnricherOptions, type SharedEnrichment } from '../../src/enrich/geoip.js';
import type { Enricher } from '../../src/enrich/types.js';
import { ParsePool, type ParsePoolOptions } from '../../src/pipeline/parse-pool.js';

export interface SuitePools {
  /** The enricher the main thread reads with (set once the suite's tests begin). */
  readonly enricher: Enricher;
  /** The databases as the main thread opened them, for pools made by hand. */
  readonly shared: SharedEnrichment;
  /** A pool of `size` threads reading the suite's databases, closed after the suite. */
  pool(size: number, options?: ParsePoolOptions): ParsePool;
}

/** Call inside a `describe`: its `before` and `after` hooks open the databases and close the pools. */
export function suitePools(enrichment: EnricherOptions): SuitePools {
  let opened: { enricher: Enricher; shared: SharedEnrichment } | undefined;
  const pools: ParsePool[] = [];
  const databases = () => {
    if (opened === undefined) throw new Error('suitePools: the databases open in the suite\'s before hook; use them inside its tests');
    return opened;
  };
  before(async () => {
    opened = await openEnrichment(enrichment);
  });
  after(() => Promise.all(pools.map((p) => p.close())));
  return {
    get enricher() {
      return databases().enricher;
    },
    get shared() {
      return databases().shared;
    },
    pool(size, options) {
      const made = new ParsePool(size, databases().shared, options);
      pools.push(made);
      return made;
    },
  };
}
