import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema.js';
import { awsClients } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { assemblePipeline } from '../pipeline/assemble.js';
import { RetryScope } from '../sink/bulk-indexer.js';
import { createOpenSearchClient, openSearchProblem } from '../sink/opensearch.js';
import { HealthGate } from './gate.js';
import { bucketPolicy } from './handle-message.js';
import { startWorker, type RunningWorker } from './worker.js';

/**
 * Wires a worker from settings: the object pipeline, the pollers and the health gate. The CLI and
 * the integration tests start workers through this one function.
 */
export async function runWorker(config: Config & { queueUrl: string; allowedBuckets: string[] }, logger: Logger, untilEmpty = false): Promise<{ worker: RunningWorker; finish: () => Promise<void> }> {
  const { sqs } = awsClients(config);
  const stopSignal = new AbortController();
  const probeClient = createOpenSearchClient(config);
  const gate = new HealthGate(
    async () => (await probeClient.cluster.health({}, { requestTimeout: 5000 })).statusCode === 200,
    (open, detail) => (open ? logger.info({ detail }, 'OpenSearch is back: polling resumes') : logger.warn({ detail }, 'OpenSearch unavailable: polling paused')),
    stopSignal.signal,
  );
  // Said at start, in words that name the setting; the gate then keeps polling paused until it answers.
  const problem = await openSearchProblem(probeClient, config.opensearchUrl);
  if (problem !== undefined) {
    logger.warn({ opensearchUrl: config.opensearchUrl }, `${problem}; the worker starts and polls once OpenSearch answers`);
    gate.close(problem);
  }
  const pipeline = await assemblePipeline(config, logger, (info) => {
    if (info.scope === RetryScope.request) gate.close(info.error);
  });
  const maxReceiveCount = await redriveLimit(sqs, config.queueUrl);
  const worker = startWorker({
    config, sqs, logger, gate, untilEmpty,
    handle: {
      processObject: (ref) => pipeline.processObject(ref),
      maxReceiveCount,
      bucketAllowed: bucketPolicy(config.allowedBuckets),
      deadLetters: pipeline.deadLetters,
      logger,
    },
  });
  const finish = async () => {
    await worker.stopped;
    stopSignal.abort();
    await pipeline.close();
  };
  return { worker, finish };
}

/** The queue's redrive maxReceiveCount, or undefined when it has no dead-letter queue. */
async function redriveLimit(sqs: SQSClient, queueUrl: string): Promise<number | undefined> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = out.Attributes?.RedrivePolicy;
  if (!policy) return undefined;
  const count = Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : undefined;
}
