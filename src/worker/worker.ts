import { GetQueueAttributesCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectOutcome } from '../pipeline/process-object.js';
import type { S3ObjectRef } from '../pipeline/types.js';
import { Verdict, handleMessage } from './handle-message.js';
import { newStats, type WorkerStats } from './stats.js';

/** Seconds a failed message stays invisible before SQS offers it again: polling slows instead of spinning. */
export const RETRY_VISIBILITY_SECONDS = 30;
/** How often `untilEmpty` asks the queue whether anything is left. */
const EMPTY_CHECK_MS = 2000;

export interface WorkerOptions {
  readonly config: Config & { queueUrl: string };
  readonly sqs: SQSClient;
  readonly processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>;
  readonly logger: Logger;
  /** Stop once the queue holds no visible and no in-flight message (the demo and tests). */
  readonly untilEmpty?: boolean;
}

/** A running worker: its totals, and a promise that settles when it has stopped. */
export interface RunningWorker {
  readonly stats: WorkerStats;
  readonly stopped: Promise<void>;
  stop(): void;
}

/** Raised by the handler so that sqs-consumer neither deletes the message nor loses it. */
class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

/**
 * Starts `pollers` long-polling consumers on one queue. Each message is handled on its own with a
 * visibility heartbeat; it is deleted only when every document it leads to is acknowledged.
 */
export function startWorker(options: WorkerOptions): RunningWorker {
  const { config, logger } = options;
  const stats = newStats();
  const deps = { processObject: options.processObject, stats, logger };
  const consumers = Array.from({ length: config.pollers }, () =>
    Consumer.create({
      queueUrl: config.queueUrl,
      sqs: options.sqs,
      batchSize: config.batchSize,
      waitTimeSeconds: config.waitTimeSeconds,
      visibilityTimeout: config.visibilityTimeout,
      heartbeatInterval: config.heartbeatInterval,
      terminateVisibilityTimeout: RETRY_VISIBILITY_SECONDS,
      pollingCompleteWaitTimeMs: config.shutdownGraceSeconds * 1000,
      handleMessage: async (message: Message) => {
        const verdict = await handleMessage(message.MessageId ?? '?', message.Body ?? '', deps);
        if (verdict === Verdict.retry) throw new RetryLater('not every document was acknowledged');
        return message;
      },
    }),
  );
  for (const consumer of consumers) {
    consumer.on('error', (err) => logger.error({ error: err.message }, 'SQS error'));
    consumer.on('processing_error', (err, message) => {
      if (!(err instanceof RetryLater)) logger.error({ messageId: message.MessageId, error: err.message }, 'message handling failed');
      stats.messagesRetried += 1;
    });
    consumer.on('message_processed', () => {
      stats.messagesDeleted += 1;
    });
  }
  const stopped = Promise.all(consumers.map((c) => new Promise<void>((resolve) => c.once('stopped', () => resolve())))).then(
    () => undefined,
  );
  const stop = () => consumers.forEach((c) => c.stop());
  for (const consumer of consumers) consumer.start();
  logger.info({ queueUrl: config.queueUrl, pollers: config.pollers, batchSize: config.batchSize }, 'worker started');
  if (options.untilEmpty) void stopWhenEmpty(options, stop, stopped);
  return { stats, stopped, stop };
}

async function stopWhenEmpty(options: WorkerOptions, stop: () => void, stopped: Promise<void>) {
  let done = false;
  void stopped.then(() => (done = true));
  let emptyChecks = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, EMPTY_CHECK_MS));
    // In-flight messages count as not visible, so an object still in work keeps the worker running.
    const left = await messagesLeft(options.sqs, options.config.queueUrl);
    // Two empty readings in a row: the approximate counts lag a little behind deletes and sends.
    emptyChecks = left === 0 ? emptyChecks + 1 : 0;
    if (emptyChecks >= 2) {
      stop();
      return;
    }
  }
}

/** Visible plus in-flight messages, as SQS approximates them. */
export async function messagesLeft(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}
