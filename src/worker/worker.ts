import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { BudgetClosed, ByteBudget } from './budget.js';
import type { HealthGate } from './gate.js';
import { Verdict, handleMessage, type HandleDeps } from './handle-message.js';
import { newStats, type WorkerStats } from './stats.js';

/** How often `untilEmpty` asks the queue whether anything is left. */
const EMPTY_CHECK_MS = 2000;
/** SQS takes at most this many entries per batch call. */
const SQS_BATCH_MAX = 10;

export interface WorkerOptions {
  readonly config: Config & { queueUrl: string };
  readonly sqs: SQSClient;
  readonly handle: Omit<HandleDeps, 'stats'>;
  readonly gate: HealthGate;
  readonly logger: Logger;
  /** Stop once the queue holds no visible and no in-flight message (the demo and tests). */
  readonly untilEmpty?: boolean;
  /** Hears each message as it is received (the metrics take its SentTimestamp). */
  readonly onReceive?: (message: Message) => void;
  /** Aborted to stop, as `stop()` does; if aborted already, the worker stops without receiving. */
  readonly signal?: AbortSignal;
}

/** A running worker: its totals, and a promise that settles when it has stopped. */
export interface RunningWorker {
  readonly stats: WorkerStats;
  readonly stopped: Promise<void>;
  /** Messages received and not yet finished. */
  inFlight(): number;
  /** Bytes of objects in work, as the memory budget counts them. */
  inFlightBytes(): number;
  /** True while every poller runs and no stop has begun (readiness). */
  polling(): boolean;
  /** Stops polling, waits up to the grace period for messages in work, then hands the rest back. */
  stop(): void;
}

/** Raised by the handler so that sqs-consumer neither deletes the message nor loses it. */
class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

/** What a handler resolves to once its message was handed back at the end of the grace period. */
const RELEASED = Symbol('released');

/**
 * Starts `pollers` long-polling consumers on one queue. Each message is handled on its own with a
 * visibility heartbeat; it is deleted only when every document it leads to is acknowledged.
 *
 * A consumer receives again only once its whole batch is done, so with one message per receive
 * (the default) each consumer is a slot of a window: a slot freed by a small object is filled at
 * once while a large one is still in work. Before each receive a consumer also waits for room in
 * the byte budget (MAX_IN_FLIGHT_BYTES), and each message waits, with its heartbeat running, until
 * its objects' bytes fit.
 */
export function startWorker(options: WorkerOptions): RunningWorker {
  const { config, logger } = options;
  const stats = newStats();
  const budget = new ByteBudget(config.maxInFlightBytes);
  const deps: HandleDeps = { ...options.handle, stats, admit: (bytes) => budget.acquire(bytes) };
  // Messages in work, each with the way to let go of it when the grace period ends.
  const inFlight = new Map<string, { message: Message; letGo: () => void }>();
  let stopping = false;
  const release = (messages: Message[]) => {
    stats.messagesReleased += messages.length;
    return releaseMessages(options.sqs, config.queueUrl, messages, logger);
  };

  const consumers = Array.from({ length: config.pollers }, () =>
    Consumer.create({
      queueUrl: config.queueUrl,
      sqs: options.sqs,
      batchSize: config.batchSize,
      waitTimeSeconds: config.waitTimeSeconds,
      visibilityTimeout: config.visibilityTimeout,
      heartbeatInterval: config.heartbeatInterval,
      // A function, because sqs-consumer reads a plain 0 as "leave the visibility alone".
      terminateVisibilityTimeout: () => config.retryDelaySeconds,
      preReceiveMessageCallback: async () => {
        await options.gate.wait();
        await budget.room();
      },
      messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      handleMessage: async (message: Message) => {
        // A long poll that returns after stop began: hand the message straight back.
        if (stopping) return void (await release([message]));
        options.onReceive?.(message);
        const handle = message.ReceiptHandle ?? '';
        let letGo: () => void = () => undefined;
        const released = new Promise<typeof RELEASED>((resolve) => (letGo = () => resolve(RELEASED)));
        inFlight.set(handle, { message, letGo });
        // A message to delete stays in flight until sqs-consumer's DeleteMessage has returned
        // (`settled` below): a stop that waited only for the handler could exit before it.
        let deleting = false;
        try {
          const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
          const verdict = await Promise.race([handleMessage(message.MessageId ?? '?', message.Body ?? '', deps, receives), released]);
          // Released at the end of the grace period: neither delete nor touch the visibility again
          // (the work goes on unobserved; its documents are idempotent).
          if (verdict === RELEASED) return undefined;
          if (verdict === Verdict.retry) throw new RetryLater('not every document was acknowledged');
          deleting = true;
          return message;
        } catch (err) {
          // Still waiting for room when the worker stopped: nothing began, so hand it back now.
          if (err instanceof BudgetClosed) return void (await release([message]));
          throw err;
        } finally {
          if (!deleting) inFlight.delete(handle);
        }
      },
    }),
  );
  const settled = (message: Message) => inFlight.delete(message.ReceiptHandle ?? '');
  for (const consumer of consumers) observe(consumer, stats, logger, settled);

  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = () => {
    if (stopping) return;
    stopping = true;
    consumers.forEach((c) => c.stop());
    budget.close();
    void drain(inFlight, config.shutdownGraceSeconds * 1000, release, logger).then(resolveStopped);
  };
  if (options.signal?.aborted) {
    // Told to stop while it was starting (a task stopped during its start): receive nothing.
    stop();
  } else {
    options.signal?.addEventListener('abort', stop, { once: true });
    for (const consumer of consumers) consumer.start();
    logger.info({ queueUrl: config.queueUrl, pollers: config.pollers, batchSize: config.batchSize, maxInFlightBytes: config.maxInFlightBytes }, 'worker started');
    if (options.untilEmpty) void stopWhenEmpty(options, stop, stopped);
  }
  const polling = () => !stopping && consumers.every((c) => c.status.isRunning);
  return { stats, stopped, stop, inFlight: () => inFlight.size, inFlightBytes: () => budget.inUse, polling };
}

/** Listens to a consumer: totals, logs, and `settled` once a message's delete has returned (or failed). */
function observe(consumer: Consumer, stats: WorkerStats, logger: Logger, settled: (message: Message) => void): void {
  consumer.on('error', (err, message) => {
    logger.error({ error: err.message }, 'SQS error');
    // A failed DeleteMessage comes here with its message: it is no longer in work.
    if (message !== undefined && !Array.isArray(message)) settled(message as Message);
  });
  consumer.on('processing_error', (err, message) => {
    // sqs-consumer wraps what the handler throws; the original is the cause.
    const retryLater = err instanceof RetryLater || (err as Error & { cause?: unknown }).cause instanceof RetryLater;
    if (!retryLater) logger.error({ messageId: message.MessageId, error: err.message }, 'message handling failed');
    stats.messagesRetried += 1;
  });
  consumer.on('message_processed', (message) => {
    stats.messagesDeleted += 1;
    settled(message);
  });
}

/**
 * Waits for messages in work to finish, up to the grace period; then lets go of the rest (their
 * handlers return at once, which stops their heartbeats) and makes them visible again at once.
 */
async function drain(
  inFlight: Map<string, { message: Message; letGo: () => void }>,
  graceMs: number,
  release: (m: Message[]) => Promise<void>,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (inFlight.size === 0) return;
  const left = [...inFlight.values()];
  for (const entry of left) entry.letGo();
  // One turn for sqs-consumer to see the handlers return and clear their heartbeat timers.
  await new Promise((r) => setImmediate(r));
  logger.warn({ messages: left.length }, 'grace period over: unfinished messages made visible again for another worker');
  await release(left.map((entry) => entry.message));
}

/** Visibility 0: another worker may take the messages now rather than after the timeout. */
async function releaseMessages(sqs: SQSClient, queueUrl: string, messages: Message[], logger: Logger): Promise<void> {
  for (let i = 0; i < messages.length; i += SQS_BATCH_MAX) {
    const entries = messages.slice(i, i + SQS_BATCH_MAX).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch((err: Error) =>
      logger.warn({ error: err.message }, 'could not release messages; they return after their visibility timeout'),
    );
  }
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
