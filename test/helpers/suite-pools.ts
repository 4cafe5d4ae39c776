/**
 * Parse pools for a `describe` block of tests: the enrichment databases opened before its tests,
 * and every pool made with {@link SuitePools.pool} closed after them, so no thread outlives the
 * file; and a reader of objects, to hold what they give with and without the pool equal.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ObjectError } from '../../src/core/errors.js';
import type { OpBatch } from '../../src/core/records.js';
import { readObject, type ReadOptions } from '../../src/pipeline/read-object.js';
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

/** What reading an object gave: its batches, their documents as sent, and the failure it ended with. */
export interface ObjectRead {
  /** `read`, or `skip` when the reader passed the object over (no batches then). */
  readonly kind: 'read' | 'skip';
  readonly batches: OpBatch[];
  /** `[index, id, json]` of each document, in order. */
  readonly ops: Array<[string, string, string | undefined]>;
  /** The ObjectError's message and whether it is retryable, when reading failed. */
  readonly failure: string | undefined;
}

/** Reads `text` (any bytes), gzipped and streamed in chunks of 4 KiB, as the S3 object `key` with `options`. */
export async function readGzipped(key: string, text: string | Buffer, options: ReadOptions): Promise<ObjectRead> {
  const body = gzipSync(text);
  async function* chunked() {
    for (let at = 0; at < body.length; at += 4096) yield body.subarray(at, at + 4096);
  }
  const result = await readObject({ bucket: 'b', key }, chunked(), options);
  const batches: OpBatch[] = [];
  let failure: string | undefined;
  try {
    for await (const batch of result.kind === 'read' ? result.batches : []) batches.push(batch);
  } catch (err) {
    assert.ok(err instanceof ObjectError, `an ObjectError: ${String(err)}`);
    failure = `${err.message} (retryable: ${err.retryable})`;
  }
  return { kind: result.kind, batches, ops: batches.flatMap((b) => b.ops.map((op): [string, string, string | undefined] => [op.index, op.id, op.json])), failure };
}
