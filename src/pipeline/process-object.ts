import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { DeadLetterKind, type DeadLetter, type DeadLetterSink } from '../deadletter/types.js';
import { documentJson } from '../sink/bulk-body.js';
import type { Logger } from '../observability/logger.js';
import type { StallPolicy } from '../source/s3-body.js';
import { ObjectError, messageOf, where } from '../core/errors.js';
import { readS3Object, type ReadOptions } from './read-object.js';
import { problemText, type OpBatch } from '../core/records.js';
import { ItemStatus, type IndexOp, type ItemOutcome, type S3ObjectRef } from '../core/types.js';

/**
 * Where documents go: the bulk indexer, seen only through what the pipeline needs of it. It is
 * shared by all objects in work and sends a partial batch on its own timer, or at once when no
 * object is adding any more and a request slot is free, so an object waits for its own outcomes
 * instead of forcing out a small request for every object that ends.
 */
export interface OpSink {
  /**
   * Takes `op`; `onOutcome` hears its fate, with the operation (one callback serves all of an
   * object's). Returns a promise to wait for before adding more, or undefined to go on at once.
   */
  add(op: IndexOp, onOutcome: (outcome: ItemOutcome, op: IndexOp) => void): Promise<void> | undefined;
  /**
   * Called when an object starts to add; the function returned once it has added its last. When
   * no object is adding any more, the sink sends what it holds without waiting for its timer.
   */
  producing(): () => void;
}

/**
 * Adds `ops` to `sink` in order, awaiting only what the sink says to wait for (most adds have
 * nothing: no promise and no turn of the loop for them).
 */
export async function addAll(sink: OpSink, ops: readonly IndexOp[], onOutcome: (outcome: ItemOutcome, op: IndexOp) => void): Promise<void> {
  // By index: a for-of with an await in its body kept an iterator result object per operation
  // (V8 cannot drop it across a possible suspension), ~40 bytes of garbage a document.
  for (let i = 0; i < ops.length; i++) {
    const wait = sink.add(ops[i] as IndexOp, onOutcome);
    // Stryker disable next-line ConditionalExpression: awaiting undefined goes on a microtask later, the same adds in the same order; the test only spares that turn
    if (wait !== undefined) await wait;
  }
}

export interface ObjectCounts {
  lines: number;
  documents: number;
  badLines: number;
  dropped: number;
  statusRecords: number;
  created: number;
  exists: number;
  rejected: number;
  failed: number;
  deadLetters: number;
}

/** The fate of one object. */
export type ObjectOutcome =
  | { readonly status: 'indexed'; readonly ref: S3ObjectRef; readonly counts: ObjectCounts }
  | { readonly status: 'skipped'; readonly ref: S3ObjectRef; readonly reason: string }
  | { readonly status: 'failed'; readonly ref: S3ObjectRef; readonly error: ObjectError; readonly counts: ObjectCounts };

export interface ObjectDeps {
  readonly s3: S3Client;
  readonly sink: OpSink;
  readonly deadLetters: DeadLetterSink;
  readonly read: ReadOptions;
  readonly logger: Logger;
  /** How a streamed body that stops sending is resumed, then given up (retryable). */
  readonly stall?: StallPolicy;
}

/** Dead letters are written in groups of this many while an object is read, so memory stays bounded. */
const DEAD_LETTER_BATCH = 500;

export const newCounts = (): ObjectCounts => ({
  lines: 0, documents: 0, badLines: 0, dropped: 0, statusRecords: 0, created: 0, exists: 0, rejected: 0, failed: 0, deadLetters: 0,
});

/**
 * True when nothing of the object is left to do: every document it produced is in the index
 * (created now or before) or in the dead-letter store, and the rest of the object, if it failed,
 * can never be read (and is recorded as such). A document that OpenSearch did not take after every
 * retry (`failed`) keeps the message, even when the object itself then failed for good: an
 * `object` letter does not bring its documents back, a redelivery does.
 */
export function isAcknowledged(outcome: ObjectOutcome): boolean {
  if (outcome.status === 'skipped') return true;
  if (outcome.counts.failed > 0) return false;
  return outcome.status === 'indexed' || !outcome.error.retryable;
}

/**
 * Streams one object into the index: GetObject → decompress → lines → documents → bulk. Resolves
 * only after OpenSearch has answered for every document it produced and every dead letter is
 * stored, so the caller may delete the message exactly when the outcome says so.
 */
export async function processObject(ref: S3ObjectRef, deps: ObjectDeps): Promise<ObjectOutcome> {
  const counts = newCounts();
  const letters: DeadLetter[] = [];
  const answers = new Countdown();
  let firstFailure: string | undefined;
  // One callback for every document of the object: the sink holds each until OpenSearch answers.
  const onOutcome = (outcome: ItemOutcome, op: IndexOp) => {
    answers.done();
    counts[outcome.status] += 1;
    if (outcome.status === ItemStatus.rejected) {
      letters.push({ kind: DeadLetterKind.document, reason: outcome.error ?? 'rejected', bucket: ref.bucket, key: ref.key, index: op.index, id: op.id, document: documentJson(op) });
      // Stryker disable next-line ConditionalExpression: created and exists outcomes carry no error, so `??=` would leave it unset for them too
    } else if (outcome.status === ItemStatus.failed) {
      // Logged once per object with the count (in the outcome), not once per document.
      firstFailure ??= outcome.error;
    }
  };
  const store = () => storeLetters(deps, counts, letters);
  // The body of a streamed object: destroyed in `finally` on every path (skip, failure, end), since
  // a body left open holds one of the S3 client's pooled sockets for good.
  let body: Readable | undefined;
  // Ended before each wait for answers (what it added last then goes out at once if no other object
  // is adding), and in `finally` for the paths that add nothing (a skip, a failure to open).
  const added = deps.sink.producing();
  try {
    const opened = await readS3Object(deps.s3, ref, deps.read, deps.stall);
    body = opened.body;
    const read = opened.result;
    if (read.kind === 'skip') return { status: 'skipped', ref, reason: read.reason };
    for await (const batch of read.batches) {
      tally(counts, batch);
      for (const p of batch.problems) {
        deps.logger.warn({ object: where(ref, p.lineNo), reason: p.reason, line: p.text === undefined ? undefined : problemText(p.text) }, 'line dead-lettered');
        letters.push({ kind: DeadLetterKind.line, reason: p.reason, bucket: ref.bucket, key: ref.key, lineNo: p.lineNo, line: p.text, format: read.format });
      }
      answers.expect(batch.ops.length);
      await addAll(deps.sink, batch.ops, onOutcome);
      if (letters.length >= DEAD_LETTER_BATCH) await store();
    }
    added();
    await answers.all();
    await store();
    if (firstFailure !== undefined) deps.logger.warn({ object: where(ref), failed: counts.failed, error: firstFailure }, 'documents not indexed; message will be redelivered');
    return { status: 'indexed', ref, counts };
  } catch (err) {
    // Whatever was read before the failure is still acknowledged before we answer: nothing is left in flight.
    added();
    await answers.all();
    return failed(ref, err, counts, deps, letters);
  } finally {
    added();
    body?.destroy();
  }
}

/** Counts documents handed to the sink against answers received; `all` resolves when they match. */
export class Countdown {
  private pending = 0;
  private waiter: (() => void) | undefined;

  expect(count: number): void {
    this.pending += count;
  }

  done(): void {
    this.pending -= 1;
    if (this.pending === 0) this.waiter?.();
  }

  all(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => (this.waiter = resolve));
  }
}

function tally(counts: ObjectCounts, batch: OpBatch): void {
  counts.lines += batch.ops.length + batch.problems.length + (batch.dropped ?? 0);
  counts.dropped += batch.dropped ?? 0;
  counts.statusRecords += batch.statusRecords ?? 0;
  counts.badLines += batch.problems.length;
  counts.documents += batch.ops.length;
}

/** Stores the letters gathered so far; they count once the store has them (a failed store counts none). */
async function storeLetters(deps: ObjectDeps, counts: ObjectCounts, letters: DeadLetter[]): Promise<void> {
  const stored = letters.splice(0);
  await deps.deadLetters.record(stored);
  counts.deadLetters += stored.length;
}

/** A permanent failure is recorded as a dead letter, since its message will be deleted. */
async function failed(ref: S3ObjectRef, err: unknown, counts: ObjectCounts, deps: ObjectDeps, letters: DeadLetter[]): Promise<ObjectOutcome> {
  let error = err instanceof ObjectError ? err : new ObjectError(ref, messageOf(err), true, undefined, { cause: err });
  if (!error.retryable) letters.push({ kind: DeadLetterKind.object, reason: error.detail, bucket: ref.bucket, key: ref.key, lineNo: error.lineNo });
  try {
    await storeLetters(deps, counts, letters);
  } catch (storeErr) {
    error = new ObjectError(ref, `${error.detail}; and the dead-letter store failed: ${messageOf(storeErr)}`, true, error.lineNo);
  }
  return { status: 'failed', ref, error, counts };
}
