import { decodeNotification } from '../notification/decode.js';
import type { Logger } from '../observability/logger.js';
import { where } from '../pipeline/errors.js';
import { isAcknowledged, type ObjectOutcome } from '../pipeline/process-object.js';
import type { S3ObjectRef } from '../pipeline/types.js';
import { addOutcome, type WorkerStats } from './stats.js';

/** What to do with a message once handled. */
export const Verdict = {
  /** Everything it names is in the index, or can never be: remove it from the queue. */
  delete: 'delete',
  /** Something may succeed later: leave it, SQS redelivers it (and its redrive policy dead-letters it in the end). */
  retry: 'retry',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export interface HandleDeps {
  readonly processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>;
  readonly stats: WorkerStats;
  readonly logger: Logger;
}

/**
 * Handles one SQS message body: decode the envelope, index every object it names, and decide its
 * fate. A message is deleted only when every object is acknowledged.
 */
export async function handleMessage(messageId: string, body: string, deps: HandleDeps): Promise<Verdict> {
  const { stats, logger } = deps;
  stats.messages += 1;
  const notification = decodeNotification(body);
  if (notification.kind === 'invalid') {
    // No retry can make a malformed body readable: drop it, with the reason and the message id on record.
    stats.messagesInvalid += 1;
    logger.error({ messageId, reason: notification.reason }, 'message is no known notification; deleted');
    return Verdict.delete;
  }
  if (notification.kind === 'skip') {
    if (notification.envelope.endsWith('s3-test-event')) stats.testEvents += 1;
    logger.info({ messageId, envelope: notification.envelope, reason: notification.reason }, 'message skipped');
    return Verdict.delete;
  }
  const outcomes = await Promise.all(notification.objects.map((ref) => deps.processObject(ref)));
  for (const outcome of outcomes) {
    addOutcome(stats, outcome);
    logOutcome(logger, messageId, outcome);
  }
  return outcomes.every(isAcknowledged) ? Verdict.delete : Verdict.retry;
}

function logOutcome(logger: Logger, messageId: string, outcome: ObjectOutcome): void {
  const object = where(outcome.ref);
  if (outcome.status === 'skipped') logger.info({ messageId, object, reason: outcome.reason }, 'object skipped');
  else if (outcome.status === 'indexed') logger.info({ messageId, object, ...outcome.counts }, 'object indexed');
  else {
    const level = outcome.error.retryable ? 'warn' : 'error';
    logger[level]({ messageId, object, retryable: outcome.error.retryable, error: outcome.error.message, ...outcome.counts },
      outcome.error.retryable ? 'object failed; message left for redelivery' : 'object cannot be read; message deleted');
  }
}
