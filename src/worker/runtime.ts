import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema.js';
import { awsClients } from '../context.js';
import { startHealthServer, type HealthServer } from '../observability/health-server.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { assemblePipeline, type Pipeline } from '../pipeline/assemble.js';
import { RetryScope } from '../sink/bulk-indexer.js';
import { openSearchProblem, probeOpenSearch } from '../sink/opensearch.js';
import { HealthGate } from './gate.js';
import { bucketPolicy } from './handle-message.js';
import { startWorker, type RunningWorker } from './worker.js';

/**
 * Wires a worker from settings: the object pipeline, the pollers and the health gate. The CLI and
 * the integration tests start workers through this one function.
 */
export async function runWorker(config: Config & { queueUrl: string; allowedBuckets: string[] }, logger: Logger, options: { untilEmpty?: boolean; signal?: AbortSignal } = {}): Promise<{ worker: RunningWorker; finish: () => Promise<void> }> {
  const { sqs } = awsClients(config);
  const stopSignal = new AbortController();
  const metrics = new Metrics();
  // Filled in as the worker starts; until the pollers run it is alive but not ready.
  const current: { worker?: RunningWorker; gate?: HealthGate } = {};
  // Up before the slow start (GeoIP databases), so a liveness probe does not kill a starting task.
  const health = await serveHealth(config, logger, metrics, () => current.worker?.polling() === true && current.gate?.isOpen === true);
  try {
    const pipeline = await assemblePipeline(config, logger, (info) => {
      if (info.scope === RetryScope.request) gate.close(info.error);
    }, metrics);
    // Probes with the pipeline's own client: a password read again there serves the writes too.
    const gate = new HealthGate(
      () => probeOpenSearch(pipeline.client, config.deadLetterIndex),
      (open, detail) => (open ? logger.info({ detail }, 'OpenSearch is back: polling resumes') : logger.warn({ detail }, 'OpenSearch unavailable or refusing us: polling paused')),
      stopSignal.signal,
    );
    current.gate = gate;
    // Said at start, in words that name the setting; the gate then keeps polling paused until it answers.
    const problem = await openSearchProblem(pipeline.client, config.opensearchUrl);
    if (problem !== undefined) {
      logger.warn({ opensearchUrl: config.opensearchUrl }, `${problem}; the worker starts and polls once OpenSearch answers`);
      gate.close(problem);
    }
    const running = await startPollers({ config, sqs, gate, metrics, logger, pipeline, ...options });
    current.worker = running;
    metrics.watch({ totals: running.stats, inFlight: running.inFlight, inFlightBytes: running.inFlightBytes, gateOpen: () => gate.isOpen });
    const finish = async () => {
      await running.stopped;
      stopSignal.abort();
      await pipeline.close();
      await health?.close();
    };
    return { worker: running, finish };
  } catch (err) {
    await health?.close();
    throw err;
  }
}

/** The pollers over the object pipeline, with the metrics' hooks. */
async function startPollers(w: {
  config: Config & { queueUrl: string; allowedBuckets: string[] }; sqs: SQSClient; gate: HealthGate; metrics: Metrics; logger: Logger; pipeline: Pipeline; untilEmpty?: boolean; signal?: AbortSignal;
}): Promise<RunningWorker> {
  const { config, sqs, gate, metrics, logger, pipeline } = w;
  const maxReceiveCount = await redriveLimit(sqs, config.queueUrl);
  return startWorker({
    config, sqs, logger, gate, untilEmpty: w.untilEmpty, signal: w.signal,
    onReceive: (message) => {
      const sent = Number(message.Attributes?.SentTimestamp);
      if (Number.isFinite(sent)) metrics.received(sent);
    },
    handle: {
      processObject: (ref) => pipeline.processObject(ref),
      maxReceiveCount,
      bucketAllowed: bucketPolicy(config.allowedBuckets),
      deadLetters: pipeline.deadLetters,
      logger,
    },
  });
}

/** Starts the health and metrics server when HEALTH_PORT is set. */
async function serveHealth(config: Config, logger: Logger, metrics: Metrics, ready: () => boolean): Promise<HealthServer | undefined> {
  if (config.healthPort === undefined) return undefined;
  return startHealthServer(config.healthHost, config.healthPort, { metrics, ready }, logger);
}

/** The queue's redrive maxReceiveCount, or undefined when it has no dead-letter queue. */
async function redriveLimit(sqs: SQSClient, queueUrl: string): Promise<number | undefined> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = out.Attributes?.RedrivePolicy;
  if (!policy) return undefined;
  const count = Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : undefined;
}
