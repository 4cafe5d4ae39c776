import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { s3EventBody } from '../notification/encode.js';
import type { ObjectOutcome } from './process-object.js';
import type { S3ObjectRef } from '../core/types.js';

/** SQS takes at most ten entries per batch call. */
const SQS_BATCH = 10;

/**
 * Reads every listed object here, `concurrency` at a time, and reports each outcome as it ends.
 * Memory stays bounded: the listing is consumed as it goes.
 */
export async function processAll<T = ObjectOutcome>(
  refs: AsyncIterable<S3ObjectRef>,
  process: (ref: S3ObjectRef) => Promise<T>,
  concurrency: number,
  onOutcome: (outcome: T) => void,
): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const ref of refs) {
    const task: Promise<void> = process(ref).then(onOutcome).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
}

/**
 * Puts one S3 event per object on the queue, ten per call, so that every worker of the fleet
 * shares the backfill with the live traffic. Returns how many were sent.
 */
export async function enqueueAll(
  refs: AsyncIterable<S3ObjectRef>, sqs: SQSClient, queueUrl: string, onSent: (refs: readonly S3ObjectRef[]) => void = () => undefined,
): Promise<number> {
  let sent = 0;
  let batch: S3ObjectRef[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const out = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((ref, i) => ({ Id: String(i), MessageBody: s3EventBody([ref]) })) }),
    );
    if (out.Failed?.length) throw new Error(`queue refused ${out.Failed.length} message(s): ${out.Failed[0]?.Message ?? '?'}`);
    sent += batch.length;
    onSent(batch);
    batch = [];
  };
  for await (const ref of refs) {
    batch.push(ref);
    if (batch.length === SQS_BATCH) await flush();
  }
  await flush();
  return sent;
}

/** Passes refs on until the signal is raised, then ends the listing (work already started goes on). */
export async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal.aborted) return;
    yield item;
  }
}
