import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../observability/logger.js';
import { openObject } from '../source/s3.js';
import { ObjectError, messageOf, where } from './errors.js';
import { readObject, type ReadOptions } from './read-object.js';
import { ItemStatus, type IndexOp, type ItemOutcome, type S3ObjectRef } from './types.js';

/** Where documents go: the bulk indexer, seen only through what the pipeline needs of it. */
export interface OpSink {
  add(op: IndexOp, onOutcome: (outcome: ItemOutcome) => void): Promise<void>;
  flush(): Promise<void>;
}

export interface ObjectCounts {
  lines: number;
  documents: number;
  badLines: number;
  dropped: number;
  created: number;
  exists: number;
  rejected: number;
  failed: number;
}

/** The fate of one object. Only `indexed` with no failed or rejected document lets its message go. */
export type ObjectOutcome =
  | { readonly status: 'indexed'; readonly ref: S3ObjectRef; readonly counts: ObjectCounts }
  | { readonly status: 'skipped'; readonly ref: S3ObjectRef; readonly reason: string }
  | { readonly status: 'failed'; readonly ref: S3ObjectRef; readonly error: ObjectError; readonly counts: ObjectCounts };

export interface ObjectDeps {
  readonly s3: S3Client;
  readonly sink: OpSink;
  readonly read: ReadOptions;
  readonly logger: Logger;
}

export const newCounts = (): ObjectCounts => ({
  lines: 0, documents: 0, badLines: 0, dropped: 0, created: 0, exists: 0, rejected: 0, failed: 0,
});

/** True when every document of the object is in the index (created now or before). */
export function isAcknowledged(outcome: ObjectOutcome): boolean {
  if (outcome.status === 'skipped') return true;
  if (outcome.status === 'failed') return !outcome.error.retryable;
  return outcome.counts.failed === 0 && outcome.counts.rejected === 0;
}

/**
 * Streams one object into the index: GetObject → decompress → lines → documents → bulk. Resolves
 * only after OpenSearch has answered for every document it produced, so the caller may delete the
 * message exactly when the outcome says so.
 */
export async function processObject(ref: S3ObjectRef, deps: ObjectDeps): Promise<ObjectOutcome> {
  const counts = newCounts();
  const count = (outcome: ItemOutcome, op: IndexOp) => {
    counts[outcome.status] += 1;
    if (outcome.status === ItemStatus.rejected || outcome.status === ItemStatus.failed) {
      deps.logger.warn({ object: where(ref), id: op.id, index: op.index, status: outcome.status, error: outcome.error }, 'document not indexed');
    }
  };
  try {
    const body = await openObject(deps.s3, ref);
    const read = await readObject(ref, body, deps.read);
    if (read.kind === 'skip') return { status: 'skipped', ref, reason: read.reason };
    for await (const batch of read.batches) {
      counts.lines += batch.ops.length + batch.problems.length + (batch.dropped ?? 0);
      counts.dropped += batch.dropped ?? 0;
      for (const problem of batch.problems) {
        counts.badLines += 1;
        deps.logger.warn({ object: where(ref, problem.lineNo), reason: problem.reason, line: problem.text }, 'line not indexed');
      }
      for (const op of batch.ops) {
        counts.documents += 1;
        await deps.sink.add(op, (outcome) => count(outcome, op));
      }
    }
    await deps.sink.flush();
    return { status: 'indexed', ref, counts };
  } catch (err) {
    // Whatever was read before the failure is still acknowledged before we answer: nothing is left in flight.
    await deps.sink.flush();
    const error = err instanceof ObjectError ? err : new ObjectError(ref, messageOf(err), true, undefined, { cause: err });
    return { status: 'failed', ref, error, counts };
  }
}
