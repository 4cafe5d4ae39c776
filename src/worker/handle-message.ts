import { DeadLetterKind, type DeadLetterSink } from '../deadletter/types.js';
import { decodeNotification } from '../notification/decode.js';
import type { Logger } from '../observability/logger.js';
import { where } from '../core/errors.js';
import { isAcknowledged, type ObjectOutcome } from '../pipeline/process-object.js';
import type { S3ObjectRef } from '../core/types.js';
import { addOutcome, type WorkerStats } from './stats.js';

/** What to do with a message once handled. */
export const Verdict = {
  /** Everything it names is in the index or the dead-letter store, or can never be: remove it. */
  delete: 'delete',
  /** Something may succeed later: leave it, SQS redelivers it (and its redrive policy dead-letters it in the end). */
  retry: 'retry',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export interface HandleDeps {
  readonly processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>;
  /** The queue's redrive maxReceiveCount, when it has one: on the last receive, failures are recorded. */
  readonly maxReceiveCount?: number;
  /** Whether the worker may read this bucket: a forged message must not reach other buckets. */
  readonly bucketAllowed: (bucket: string) => boolean;
  readonly deadLetters: DeadLetterSink;
  readonly stats: WorkerStats;
  readonly logger: Logger;
  /**
   * Waits until the objects' bytes fit in the worker's budget and resolves with the function that
   * gives them back; without it every message starts at once.
   */
  readonly admit?: (bytes: number) => Promise<() => void>;
}

/**
 * Least an object counts for in the memory budget, whatever its size: a small object still holds
 * stream buffers and its share of bulk bodies while in work.
 */
export const MIN_OBJECT_BYTES = 4 * 1024 * 1024;

/**
 * What a message's objects count for in the memory budget: each its size as the notification says
 * it (compressed bytes), at least {@link MIN_OBJECT_BYTES}. A size the notification leaves out counts
 * as infinite, so such an object runs alone.
 */
export function messageBytes(objects: readonly S3ObjectRef[]): number {
  return objects.reduce((sum, ref) => sum + Math.max(ref.size ?? Number.POSITIVE_INFINITY, MIN_OBJECT_BYTES), 0);
}

/** Longest part of a message body a dead letter keeps. */
const BODY_KEPT = 4096;

/**
 * Handles one SQS message body: decode the envelope, index every object it names, and decide its
 * fate. A message is deleted only when every object is acknowledged or recorded as unreadable.
 */
export async function handleMessage(messageId: string, body: string, deps: HandleDeps, receiveCount = 1): Promise<Verdict> {
  const { stats, logger } = deps;
  stats.messages += 1;
  const notification = decodeNotification(body);
  if (notification.kind === 'invalid') {
    // No retry can make a malformed body readable: record it and let it go.
    stats.messagesInvalid += 1;
    logger.error({ messageId, reason: notification.reason }, 'message is no known notification; recorded and deleted');
    await deps.deadLetters.record([{ kind: DeadLetterKind.message, reason: notification.reason, messageId, body: body.slice(0, BODY_KEPT) }]);
    return Verdict.delete;
  }
  if (notification.kind === 'skip') {
    if (notification.envelope.endsWith('s3-test-event')) stats.testEvents += 1;
    logger.info({ messageId, envelope: notification.envelope, reason: notification.reason }, 'message skipped');
    return Verdict.delete;
  }
  const giveBack = await (deps.admit?.(messageBytes(notification.objects)) ?? (() => undefined));
  let outcomes: ObjectOutcome[];
  try {
    outcomes = await Promise.all(notification.objects.map((ref) => objectOutcome(ref, messageId, deps)));
  } finally {
    giveBack();
  }
  for (const outcome of outcomes) {
    addOutcome(stats, outcome);
    logOutcome(logger, messageId, outcome);
  }
  if (outcomes.every(isAcknowledged)) return Verdict.delete;
  await recordLastReceive(messageId, receiveCount, outcomes, deps);
  return Verdict.retry;
}

/**
 * SQS moves a message to its DLQ after maxReceiveCount receives, saying nothing of why. On the
 * last one, the reason goes to the dead-letter store, so the DLQ's content can be understood
 * (and redriven once mended).
 */
async function recordLastReceive(messageId: string, receiveCount: number, outcomes: ObjectOutcome[], deps: HandleDeps): Promise<void> {
  if (deps.maxReceiveCount === undefined || receiveCount < deps.maxReceiveCount) return;
  const letters = outcomes.filter((o) => !isAcknowledged(o)).map((o) => ({
    kind: DeadLetterKind.object,
    reason: `moved to the SQS dead-letter queue after ${receiveCount} receives: ${o.status === 'failed' ? o.error.detail : `${o.status === 'indexed' ? o.counts.failed : 0} documents not acknowledged`}`,
    bucket: o.ref.bucket,
    key: o.ref.key,
    messageId,
  }));
  await deps.deadLetters.record(letters).catch((err: Error) => deps.logger.warn({ messageId, error: err.message }, 'could not record the last receive'));
}

async function objectOutcome(ref: S3ObjectRef, messageId: string, deps: HandleDeps): Promise<ObjectOutcome> {
  if (deps.bucketAllowed(ref.bucket)) return deps.processObject(ref);
  const reason = `bucket "${ref.bucket}" is not in ALLOWED_BUCKETS: not read`;
  deps.stats.objectsRefused += 1;
  deps.logger.error({ messageId, object: where(ref) }, reason);
  await deps.deadLetters.record([{ kind: DeadLetterKind.object, reason, bucket: ref.bucket, key: ref.key, messageId }]);
  return { status: 'skipped', ref, reason };
}

function logOutcome(logger: Logger, messageId: string, outcome: ObjectOutcome): void {
  const object = where(outcome.ref);
  if (outcome.status === 'skipped') logger.info({ messageId, object, reason: outcome.reason }, 'object skipped');
  else if (outcome.status === 'indexed') logger.info({ messageId, object, ...outcome.counts }, 'object indexed');
  else {
    const kept = !isAcknowledged(outcome);
    logger[kept ? 'warn' : 'error']({ messageId, object, retryable: outcome.error.retryable, error: outcome.error.message, ...outcome.counts },
      kept ? 'object failed; message left for redelivery' : 'object cannot be read; recorded as dead letter, message deleted');
  }
}

/** The allow-list as a predicate: `*` admits every bucket, and only when given explicitly. */
export function bucketPolicy(allowed: readonly string[]): (bucket: string) => boolean {
  if (allowed.includes('*')) return () => true;
  const set = new Set(allowed);
  return (bucket) => set.has(bucket);
}
